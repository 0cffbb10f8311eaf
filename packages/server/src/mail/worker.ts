// The mail worker of one node: claims due mails from the outbox under a lease (so one node sends each),
// sends them over SMTP with bounded concurrency and a timeout, and retries failures with exponential
// backoff and jitter for 3 days. It runs beside the request path, never on it.
import crypto from 'node:crypto';
import type { MailConfig } from '../config/mail.js';
import type { Logger } from '../domain/logger.js';
import { ModuleUnavailableError, onDemand } from '../domain/on-demand.js';
import { leasedPoller } from '../jobs/leased-poller.js';
import type { OutboxMail, Storage } from '../storage/contract/index.js';
import { openMail } from './outbox.js';
import type { MailMessage } from './templates.js';

/** How one attempt ended, as counted by `cxauth_mail_deliveries_total{outcome}`. */
export type MailOutcome = 'sent' | 'retry' | 'failed';

/** Gives up on a mail this long after it was written. */
export const MAIL_RETRY_WINDOW_MS = 3 * 86_400_000;
const MAX_DELAY_MS = 3_600_000;

/** Sends one message; throws when the server refused it or could not be reached. */
export type MailTransport = (message: MailMessage & { from: string }) => Promise<void>;

export function smtpTransport(url: string, timeoutMs: number): MailTransport {
  // The timeouts go in the URL's query (nodemailer reads its options from there): a second argument
  // would be message defaults, and an options object with `url` keeps only what the URL says.
  const withTimeouts = new URL(url);
  for (const key of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) {
    if (!withTimeouts.searchParams.has(key)) withTimeouts.searchParams.set(key, String(timeoutMs));
  }
  // nodemailer (about 10 MiB resident) is loaded with the first mail, not by a node that sends none.
  const nodemailer = onDemand('the SMTP client', () => import('nodemailer'));
  let transport: { sendMail(mail: Record<string, string>): Promise<unknown> } | undefined;
  return async (m) => {
    // A transport that cannot be made fails each send with its own message, not as a load failure.
    transport ??= (await nodemailer()).default.createTransport(withTimeouts.toString());
    await transport.sendMail({
      from: m.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
    });
  };
}

export interface MailWorkerOptions {
  readonly storage: Pick<Storage, 'people'>;
  readonly kek: Buffer;
  readonly config: MailConfig;
  readonly transport: MailTransport;
  readonly clock?: () => Date;
  readonly log?: Pick<Logger, 'warn' | 'error'>;
  readonly random?: () => number;
  readonly onAttempt?: (template: string, outcome: MailOutcome) => void;
}

export interface MailWorker {
  start(): void;
  kick(): void;
  /** Claims one batch of due mails and waits until each has been attempted; returns how many. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function retryDelay(config: MailConfig, attempt: number, random: () => number): number {
  const base = Math.min(MAX_DELAY_MS, config.retryBaseMs * 2 ** Math.min(attempt - 1, 20));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function createMailWorker(options: MailWorkerOptions): MailWorker {
  const { storage, kek, config, transport } = options;
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const owner = `node_${crypto.randomBytes(8).toString('hex')}`;
  const attempt = async (mail: OutboxMail): Promise<void> => {
    let error: string | null = null;
    try {
      const message = openMail(kek, mail.id, mail.sealed);
      await transport({ ...message, from: config.from });
    } catch (err) {
      // The server's answer, never the message: it may carry the recipient, not the link.
      error = (err instanceof Error ? err.message : 'could not send').slice(0, 300);
      // The operator's to mend (a broken install): why, in the log.
      if (err instanceof ModuleUnavailableError) options.log?.error({ err }, err.message);
    }
    const now = clock();
    const attempts = mail.attempts + 1;
    const expired = now.getTime() - mail.createdAt.getTime() >= MAIL_RETRY_WINDOW_MS;
    const outcome: MailOutcome = error === null ? 'sent' : expired ? 'failed' : 'retry';
    if (error !== null) options.log?.warn({ mail: mail.id, attempts, error }, 'could not send mail');
    await storage.people.completeMail(mail.id, owner, {
      state: outcome === 'retry' ? 'pending' : outcome,
      attempts,
      nextAttemptAt: new Date(
        now.getTime() + (outcome === 'retry' ? retryDelay(config, attempts, random) : 0),
      ),
      error,
      at: now,
    });
    options.onAttempt?.(mail.template, outcome);
  };

  return leasedPoller({
    concurrency: config.concurrency,
    pollMs: config.pollMs,
    claim: (free) => storage.people.claimMail(clock(), config.leaseMs, free, owner),
    work: attempt,
    describe: (mail) => ({ mail: mail.id }),
    what: 'mail',
    log: options.log,
  });
}
