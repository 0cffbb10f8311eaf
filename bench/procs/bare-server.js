// The baselines: bare Fastify routes (no auth, no storage) serving the same body shapes as the routes under test.
// Usage: node bare-server.js <bodies.json>; listens on an ephemeral 127.0.0.1 port and prints {"port":N}.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodies = process.argv[2] ? JSON.parse(readFileSync(process.argv[2], 'utf8')) : {};

/** `2021-07-21T13:38:15.3560573Z`: UTC with 7 fractional digits, like the regional API's server-time. */
function serverTime() {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  const tenThousandths = Math.floor((ms - whole) * 10_000);
  return `${new Date(whole).toISOString().slice(0, -1)}${String(tenThousandths).padStart(4, '0')}Z`;
}

const app = Fastify({ logger: false });
app.get('/inContactAPI/services/v25.0/server-time', async () => ({ ServerTime: serverTime() }));
// One route per captured body (discovery document, JWKS): Fastify serializes the object per request.
for (const [name, body] of Object.entries(bodies)) {
  app.get(`/json/${name}`, async () => body);
}

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ port: Number(new URL(address).port) })}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => app.close().then(() => process.exit(0)));
}
