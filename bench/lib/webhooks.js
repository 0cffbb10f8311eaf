// The webhooks case: a second `cxauth serve --demo` whose platform-wide subscription points at a receiver
// that never answers, with a backlog of events so that every delivery slot hangs while grants are measured.
import http from 'node:http';
import path from 'node:path';
import { startCxauth, tokenRequest } from './cxauth.js';
import { onCleanup } from './processes.js';

/** Events queued before the measurement: more than a node's delivery slots, each hanging 10 s a try. */
const BACKLOG = 120;

/** A receiver that reads each request and never answers; `hanging()` counts the requests held. */
async function startHangingReceiver() {
  const held = new Set();
  const server = http.createServer((req, res) => {
    held.add(res);
    res.on('close', () => held.delete(res));
    req.resume();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () =>
    new Promise((resolve) => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  onCleanup(close);
  return { url: `http://127.0.0.1:${server.address().port}/hook`, hanging: () => held.size };
}

/** Starts cxauth with a hanging webhook receiver subscribed to every event, its delivery slots full. */
export async function startHookedCxauth(work, opts, log) {
  const receiver = await startHangingReceiver();
  const cx = await startCxauth({
    dataDir: path.join(work, 'webhooks'),
    logFile: path.join(work, 'cxauth-webhooks.log'),
    cli: opts.cli,
    env: { CXAUTH_WEBHOOK_ALLOW_PRIVATE: 'on' },
  });
  // The demo user is an operator and the demo app may ask for the admin API (docs/admin-api.md).
  const form = new URLSearchParams({
    grant_type: 'password',
    username: cx.creds.accessKeyId,
    password: cx.creds.accessKeySecret,
    scope: 'openid admin',
    resource: `${cx.issuer}/admin/v1`,
  });
  const { access_token: token } = await tokenRequest(cx.issuer, cx.creds, form.toString());
  const admin = async (method, url, body) => {
    const res = await fetch(`${cx.issuer}/admin/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`admin ${method} ${url}: HTTP ${res.status} ${await res.text()}`);
    return res.json().catch(() => ({}));
  };
  const hook = await admin('POST', '/webhooks', { url: receiver.url, event_types: ['*'] });
  // Each change is an audit event, and each event a delivery that will hang.
  for (let i = 0; i < BACKLOG; i++) await admin('PATCH', `/webhooks/${hook.id}`, { enabled: true });
  const end = Date.now() + 15_000;
  while (receiver.hanging() < 8 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  if (receiver.hanging() < 8) throw new Error(`only ${receiver.hanging()} deliveries reached the receiver`);
  log(`cxauth with a hanging webhook receiver is up: ${cx.issuer}, ${receiver.hanging()} deliveries held`);
  return { ...cx, receiver };
}
