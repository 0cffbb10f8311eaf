// Writing a mail to the outbox: the request seals the message with the KEK (a reset link in it is a
// secret) and stores it; the worker (mail/worker.ts) sends it later, so neither a restart nor an SMTP
// outage loses it and no request waits on SMTP.
import crypto from 'node:crypto';
import { decrypt, encrypt } from '../keys/kek.js';
import type { Storage } from '../storage/contract/index.js';
import type { MailMessage, MailTemplate } from './templates.js';

const aad = (id: string) => `mail:${id}`;

export function sealMail(kek: Buffer, id: string, message: MailMessage): Buffer {
  return encrypt(kek, Buffer.from(JSON.stringify(message), 'utf8'), aad(id));
}

export function openMail(kek: Buffer, id: string, sealed: Buffer): MailMessage {
  return JSON.parse(decrypt(kek, sealed, aad(id)).toString('utf8')) as MailMessage;
}

/** The outbox as requests use it: enqueue, and tell this node's worker to look now. */
export interface Mailer {
  send(message: MailMessage, o: { template: MailTemplate; tenantId: string | null }): Promise<string>;
  /** Tells `wake` of every mail written, once it is committed (this node's worker looks at once). */
  onSend(wake: () => void): void;
}

export function createMailer(deps: {
  storage: Pick<Storage, 'people' | 'afterCommit'>;
  kek: Buffer;
  clock: () => Date;
}): Mailer {
  let wake: (() => void) | undefined;
  return {
    onSend(fn) {
      wake = fn;
    },
    async send(message, o) {
      const id = crypto.randomUUID();
      const now = deps.clock();
      await deps.storage.people.enqueueMail({
        id,
        tenantId: o.tenantId,
        template: o.template,
        sealed: sealMail(deps.kek, id, message),
        state: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      });
      // Once the mail is committed: a worker woken inside the caller's transaction would look from
      // another connection (PostgreSQL) and not see it yet, or claim and send a mail whose change
      // then rolls back.
      deps.storage.afterCommit(() => wake?.());
      return id;
    },
  };
}
