// A change's webhook delivery survives a crash (docs/webhooks.md "The outbox"): `cxauth serve --demo`
// runs as its own process, an admin API change is answered, the process is killed with SIGKILL at once,
// and after a restart on the same database the receiver gets the change's event, signed. On SQLite and
// on PostgreSQL. Needs the build (`npx tsc -b`, by `npm test`).
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliProcesses, type Running, waitReady } from '../../../test/support/cli-processes.js';
import { freePort } from '../../../test/support/ports.js';
import { pgUnavailable, type TestDatabase, tempPostgres } from '../../server/test/support/storage-db.js';
import { Receiver } from '../../server/test/support/webhook-receiver.js';
import { adminApi } from '../src/commands/admin/remote/http.js';
import { remoteTarget } from '../src/commands/admin/remote/tokens.js';

const pgMissing = await pgUnavailable();
const dialects = [
  { name: 'sqlite', database: async (): Promise<TestDatabase | undefined> => undefined, skip: false },
  { name: 'postgres', database: tempPostgres, skip: pgMissing !== undefined },
];

describe.each(dialects)('a change reported by webhook, then SIGKILL, on $name', ({ database, skip }) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cxauth-webhook-crash-'));
  let env: NodeJS.ProcessEnv = {};
  const { start, stopAll } = cliProcesses(() => env);
  let db: TestDatabase | undefined;
  let receiver: Receiver | undefined;
  afterAll(async () => {
    await stopAll();
    await receiver?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(skip)(
    'delivers the event after the restart',
    async () => {
      db = await database();
      receiver = await Receiver.start();
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}`;
      env = {
        ...process.env,
        CXAUTH_DATA_DIR: dataDir,
        CXAUTH_DATABASE_URL: db?.url ?? '',
        // PostgreSQL needs the key given (every node the same); SQLite makes one in the data folder.
        CXAUTH_KEK: db ? crypto.randomBytes(32).toString('base64') : '',
        CXAUTH_PORT: String(port),
        CXAUTH_API_PORT: String(await freePort()),
        CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'on',
      };
      const serve = async (): Promise<Running> => {
        const served = start(['serve', '--demo']);
        await waitReady(`${issuer}/.well-known/openid-configuration`, served);
        return served;
      };
      const first = await serve();
      const io = {
        env: { XDG_CONFIG_HOME: dataDir },
        stdout: () => undefined,
        stderr: () => undefined,
        readStdin: async () => '',
      };
      const target = remoteTarget({ demoCredentials: path.join(dataDir, 'demo-credentials.json') }, io);
      if (!target) throw new Error('no admin API target');
      const api = adminApi(target.server, target.tokens);
      const created = (await api.call('POST', '/webhooks', {
        url: receiver.url,
        event_types: ['tenant.created'],
      })) as { secret: string };

      const tenant = (await api.call('POST', '/tenants', { name: 'crash-test', area: 'na1' })) as {
        id: string;
      };
      // Answered: the change committed. Killed at once, before any batch timer could run.
      first.child.kill('SIGKILL');
      await new Promise((resolve) => first.child.once('exit', resolve));
      const before = receiver.received.length;

      await serve();
      const deadline = Date.now() + 30_000;
      const heard = () =>
        receiver?.verified(created.secret).filter((r) => r.payload['type'] === 'tenant.created') ?? [];
      while (heard().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const [event] = heard();
      expect(event?.payload).toMatchObject({
        type: 'tenant.created',
        data: { subject: `tenant:${tenant.id}`, tenantId: tenant.id },
      });
      expect(before).toBeLessThanOrEqual(1);
      // The event is in the audit trail once, whichever node sent it.
      const events = (await api.list('/audit-events', { type: 'tenant.created' })) as { subject: string }[];
      expect(events.filter((e) => e.subject === `tenant:${tenant.id}`)).toHaveLength(1);
    },
    120_000,
  );
});
