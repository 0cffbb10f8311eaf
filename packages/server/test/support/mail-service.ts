// A test service that mails through SMTP to a local sink (support/smtp-sink.ts), with a clock the test
// can move on (to expire a link). The sink's port is chosen first and the sink left down, so a test can
// show the outbox keeping mail while SMTP is away; `sinkUp()` starts it on that port.
import { MAIL_DEFAULTS, type MailConfig } from '../../src/config/config.js';
import { startTestService, type TestService, type TestServiceOptions } from './service.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';

export interface MailTestService {
  readonly svc: TestService;
  /** The sink, once started (by `sinkUp`, or at once with `sink: true`). */
  readonly sink: () => SmtpSink;
  /** Starts the sink on the service's SMTP port (SMTP comes back). */
  sinkUp(): Promise<SmtpSink>;
  /** Moves the service's clock `seconds` on from the real time (0: back to it). */
  shift(seconds: number): void;
  close(): Promise<void>;
}

export async function startMailTestService(
  options: Omit<TestServiceOptions, 'now' | 'listen'> & { mail?: Partial<MailConfig>; sink?: boolean } = {},
): Promise<MailTestService> {
  // A free port with no SMTP server on it yet.
  const probe = await startSmtpSink();
  const smtpPort = probe.port;
  await probe.close();
  let offset = 0;
  let sink: SmtpSink | undefined;
  const { mail, sink: sinkAtOnce, ...rest } = options;
  const svc = await startTestService({
    ...rest,
    listen: true,
    now: () => new Date(Date.now() + offset * 1000),
    config: {
      ...rest.config,
      mail: {
        ...MAIL_DEFAULTS,
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        from: 'cxauth <auth@example.com>',
        pollMs: 100,
        retryBaseMs: 200,
        timeoutMs: 2000,
        leaseMs: 5000,
        ...mail,
      },
    },
  });
  const sinkUp = async () => {
    sink = await startSmtpSink(smtpPort);
    return sink;
  };
  if (sinkAtOnce) await sinkUp();
  return {
    svc,
    sink: () => {
      if (!sink) throw new Error('the SMTP sink is not started');
      return sink;
    },
    sinkUp,
    shift: (seconds) => {
      offset = seconds;
    },
    async close() {
      await svc.close();
      await sink?.close();
    },
  };
}
