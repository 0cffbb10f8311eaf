// The `cxauth` command as separate processes for end-to-end tests: servers started and stopped by
// signal, `cxauth serve …` awaited until it says it is ready, `cxauth admin … --json` run to completion
// (with input on stdin when asked), output kept for the failure message.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'packages/cli/bin/cxauth.js');

export interface Running {
  child: ChildProcess;
  output: string[];
}

/** SIGTERM (SIGKILL after 10 s) and wait for the exit; a process already gone is left alone. */
export async function stop(proc: Running | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits for `url` to answer 200; fails with the process's output if it exits or `ms` pass. */
export async function waitReady(url: string, proc: Running, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${url}: process exited:\n${proc.output.join('')}`);
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms:\n${proc.output.join('')}`);
}

/** Runs `cxauth` with the environment `env()` gives at each start; `stopAll` ends what it started. */
export function cliProcesses(env: () => NodeJS.ProcessEnv) {
  const running: Running[] = [];

  function start(args: string[], extra: NodeJS.ProcessEnv = {}, input?: string): Running {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...env(), ...extra },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.end(input);
    const proc: Running = { child, output: [] };
    child.stdout?.on('data', (d: Buffer) => proc.output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => proc.output.push(d.toString()));
    running.push(proc);
    return proc;
  }

  /** `cxauth admin … --json` with `input` on its standard input (a password is never given in argv). */
  async function adminWithInput(input: string | undefined, ...args: string[]) {
    const proc = start(['admin', ...args, '--json'], {}, input);
    const code = await new Promise<number | null>((resolve) => proc.child.on('exit', resolve));
    const out = proc.output.join('');
    if (code !== 0) throw new Error(`cxauth admin ${args.join(' ')} exited ${code}:\n${out}`);
    return JSON.parse(out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1)) as Record<string, unknown>;
  }

  return {
    start,
    adminWithInput,
    admin: (...args: string[]) => adminWithInput(undefined, ...args),
    stopAll: () => Promise.all(running.map(stop)),
  };
}

export interface Served {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | string | null>;
}

export interface ServeOptions {
  /** Holds the child until it exits, so the test's afterAll can kill what is left. */
  running: Set<ChildProcess>;
  /** Start under this umask (e.g. '000', to see that files are made private whatever it is). */
  umask?: string;
}

/**
 * Spawns `cxauth …` with `env` over this process's environment and resolves once stdout matches
 * `ready`; rejects with the output when it exits first.
 */
export async function serveUntil(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  o: ServeOptions,
): Promise<Served> {
  const [cmd, argv] =
    o.umask === undefined
      ? [process.execPath, [BIN, ...args]]
      : ['/bin/sh', ['-c', `umask ${o.umask} && exec "$0" "$@"`, process.execPath, BIN, ...args]];
  const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  o.running.add(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      o.running.delete(child);
      resolve(code ?? signal);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      if (ready.test(out)) resolve();
    });
    void exited.then((code) => reject(new Error(`exited ${code} before ready:\n${out}\n${err}`)));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}
