// A mail written inside a unit of work (an invitation, a reset, with their audit events) wakes this
// node's mail worker once the unit has committed, and the worker's poll is never part of the unit: a
// mail whose change rolls back is never sent, and a committed one is sent at once, not at the next
// idle poll (which these tests put a minute away), on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIL_DEFAULTS } from '../src/config/config.js';
import { createMailer, type Mailer } from '../src/mail/outbox.js';
import { createMailWorker, type MailWorker } from '../src/mail/worker.js';
import { startTestService, type TestService } from './support/service.js';
import { pgUnavailable } from './support/storage-db.js';
import { sleep, until } from './support/wait.js';

const pgSkip = await pgUnavailable();
const dialects = pgSkip ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

describe.each(dialects)('the outbox and the units of work (%s)', (dialect) => {
  let svc: TestService;
  let mailer: Mailer;
  let worker: MailWorker;
  const sent: string[] = [];
  beforeAll(async () => {
    svc = await startTestService({ dialect });
    mailer = createMailer({ storage: svc.storage, kek: svc.kek, clock: () => new Date() });
    worker = createMailWorker({
      storage: svc.storage,
      kek: svc.kek,
      config: { ...MAIL_DEFAULTS, pollMs: 60_000 },
      transport: async (m) => {
        sent.push(m.subject);
      },
    });
    mailer.onSend(() => worker.kick());
    worker.start();
    // The first poll of start(), with nothing due, is over before the tests begin.
    await sleep(50);
  });
  afterAll(async () => {
    await worker?.stop();
    await svc?.close();
  });

  const message = (subject: string) => ({ to: 'person@example.com', subject, text: subject, html: subject });

  it('never sends a mail whose unit rolls back, even when the worker was woken during it', async () => {
    let id = '';
    await expect(
      svc.storage.atomically(async () => {
        id = await mailer.send(message('rolled back'), { template: 'password_reset', tenantId: null });
        // Long enough for a woken worker to poll while the unit is still open.
        await sleep(60);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await sleep(150);
    expect(sent).not.toContain('rolled back');
    expect(await svc.storage.people.getMail(id)).toBeUndefined();
  });

  it('sends a committed mail at once, not at the next idle poll', async () => {
    let id = '';
    await svc.storage.atomically(async () => {
      id = await mailer.send(message('committed'), { template: 'password_reset', tenantId: null });
      await sleep(60);
    });
    await until(() => sent.includes('committed'));
    // The worker records the mail as sent once its transport has returned, just after.
    await until(async () => (await svc.storage.people.getMail(id))?.state === 'sent', 2000);
  });

  it('sends a mail written outside any unit at once', async () => {
    await mailer.send(message('alone'), { template: 'password_reset', tenantId: null });
    await until(() => sent.includes('alone'));
  });
});
