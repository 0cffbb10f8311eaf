// The signing ceiling: raw asynchronous RS256 signatures per second on this machine, in its own process.
// Run as a child so that the harness's event loop and autocannon do not share its CPU time slice.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const durationMs = Number(process.argv[2] ?? 5) * 1000;
const concurrency = Number(process.argv[3] ?? 64);

// A JWS signing input the size of a real access token (header.payload, ~700 bytes of base64url).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const data = Buffer.from(
  `${randomBytes(30).toString('base64url')}.${randomBytes(500).toString('base64url')}`,
);

let done = 0;
let stopped = false;
let inFlight = 0;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let stoppedAt = started;
let cpuUs = 0;

function finish() {
  // Only signatures completed before the stop count, over the time until the stop.
  const seconds = Number(stoppedAt - started) / 1e9;
  const report = { signatures: done, seconds, perSecond: done / seconds, cpuUsPerSignature: cpuUs / done };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function next() {
  if (stopped) {
    if (--inFlight === 0) finish();
    return;
  }
  sign('sha256', data, privateKey, (err) => {
    if (err) throw err;
    if (!stopped) done++;
    next();
  });
}

// Each callback chain keeps one signature queued, so `concurrency` chains keep every libuv thread busy.
for (let i = 0; i < concurrency; i++) {
  inFlight++;
  next();
}
setTimeout(() => {
  stopped = true;
  stoppedAt = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuStart);
  cpuUs = cpu.user + cpu.system;
}, durationMs);
