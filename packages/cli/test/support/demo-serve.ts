// A real `cxauth serve --demo` of the built CLI on free ports, for tests of the client commands: its
// own temp folder (HOME and the demo data folder), a `cxauth …` runner with only PATH, HOME and
// CXAUTH_DATA_DIR in its environment, and a stop that waits for the process to exit.
// Needs the build (`npx tsc -b`, done by `npm test`): it runs packages/cli/bin/cxauth.js.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../../test/support/ports.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = path.join(ROOT, 'packages/cli/bin/cxauth.js');

export interface CliResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

export interface DemoServe {
  /** The temp folder: HOME and the working directory of every command. */
  readonly tmp: string;
  /** `$tmp/data`, the demo's CXAUTH_DATA_DIR. */
  readonly dataDir: string;
  /** Set by `start()`. */
  issuer: string;
  apiEndpoint: string;
  /** Starts the service and waits until both of its sides are ready. */
  start(): Promise<void>;
  /** Stops the service (SIGTERM, then SIGKILL after 10 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** Stops the service and removes the temp folder. */
  close(): Promise<void>;
  /** Runs `cxauth …` to completion. */
  cxauth(args: string[], extraEnv?: NodeJS.ProcessEnv, stdin?: string): Promise<CliResult>;
}

export function demoServe(prefix: string): DemoServe {
  const tmp = mkdtempSync(path.join(tmpdir(), prefix));
  const dataDir = path.join(tmp, 'data');
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: tmp, CXAUTH_DATA_DIR: dataDir };
  let server: ChildProcess | undefined;
  let output = '';

  async function waitReady(url: string, ms = 45_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (server?.exitCode !== null) throw new Error(`cxauth serve exited:\n${output}`);
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      if (res?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${url} not ready after ${ms} ms:\n${output}`);
  }

  const demo: DemoServe = {
    tmp,
    dataDir,
    issuer: '',
    apiEndpoint: '',
    async start() {
      if (!existsSync(path.join(ROOT, 'packages/cli/dist/commands/token.js'))) {
        throw new Error('packages/cli is not built: run `npx tsc -b` (npm test does) before this test');
      }
      const [port, apiPort] = [await freePort(), await freePort()];
      demo.issuer = `http://127.0.0.1:${port}`;
      demo.apiEndpoint = `http://127.0.0.1:${apiPort}`;
      server = spawn(process.execPath, [BIN, 'serve', '--demo'], {
        cwd: tmp,
        env: {
          ...env,
          CXAUTH_PORT: String(port),
          CXAUTH_API_PORT: String(apiPort),
          CXAUTH_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (d: Buffer) => {
        output += d.toString();
      };
      server.stdout?.on('data', keep);
      server.stderr?.on('data', keep);
      await waitReady(`${demo.issuer}/readyz`);
      await waitReady(`${demo.apiEndpoint}/healthz`);
    },
    async stop() {
      if (!server || server.exitCode !== null || server.signalCode !== null) return;
      const running = server;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      const timer = setTimeout(() => running.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async close() {
      await demo.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
    cxauth(args, extraEnv = {}, stdin = '') {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env: { ...env, ...extraEnv } });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
        });
        child.on('close', (code) => resolve({ code, out, err }));
        child.stdin.end(stdin);
      });
    },
  };
  return demo;
}
