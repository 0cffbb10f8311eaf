// The reference points each figure is divided by: the raw signing rate, bare Fastify routes, node-oidc-provider.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstJsonLine, spawnChild, stopChild } from './processes.js';

const procs = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'procs');

/** Raw asynchronous RS256 signatures per second, measured in a fresh process for `duration` seconds. */
export async function measureSigningCeiling(duration, concurrency = 64) {
  const child = spawnChild(process.execPath, [
    path.join(procs, 'sign-ceiling.js'),
    String(duration),
    String(concurrency),
  ]);
  try {
    const report = await firstJsonLine(child, (duration + 30) * 1000);
    return { rps: report.perSecond, signatures: report.signatures, cpuUs: report.cpuUsPerSignature };
  } finally {
    await stopChild(child);
  }
}

/**
 * Starts the bare Fastify server: server-time, plus one JSON route per entry of `bodies` (served at
 * `/json/<name>`), so a baseline returns byte-for-byte the body of the route it is compared with.
 */
export async function startBareServer(bodies, workDir) {
  const file = path.join(workDir, 'bare-bodies.json');
  writeFileSync(file, JSON.stringify(bodies));
  const child = spawnChild(process.execPath, [path.join(procs, 'bare-server.js'), file]);
  const { port } = await firstJsonLine(child);
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}` };
}

/** Starts node-oidc-provider with client_credentials and RS256 JWT access tokens; see procs/peer-server.js. */
export async function startPeer() {
  const child = spawnChild(process.execPath, [path.join(procs, 'peer-server.js')]);
  const { port, clientId, clientSecret } = await firstJsonLine(child);
  return { child, pid: child.pid, url: `http://127.0.0.1:${port}`, clientId, clientSecret };
}
