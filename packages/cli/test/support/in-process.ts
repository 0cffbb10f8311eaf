// The set-up of the CLI tests: `cxauth` run in-process (main() with an Io of its own, so what it
// prints is collected, not written), and for the `cxauth admin` tests a SQLite file in a temp folder
// that is made before a test file's tests and removed after them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Io } from '../../src/io.js';
import { main } from '../../src/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Starts `cxauth ARGV` in-process with `env` and `stdin`: its exit code to come, and the lines it
 * prints on stdout and stderr as they come (for a test that answers what it printed while it runs).
 */
export function startMain(
  env: NodeJS.ProcessEnv,
  argv: string[],
  stdin = '',
): { done: Promise<number>; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: async () => stdin,
  };
  return { done: main(argv, io), out, err };
}

/** Runs `cxauth ARGV` in-process with `env` and `stdin` to its end: its exit code and what it printed. */
export async function runMain(env: NodeJS.ProcessEnv, argv: string[], stdin = ''): Promise<CliRun> {
  const { done, out, err } = startMain(env, argv, stdin);
  const code = await done;
  return { code, out: out.join('\n'), err: err.join('\n') };
}

export interface AdminCli {
  /** The temp folder, CXAUTH_DATA_DIR (set before the file's tests run). */
  readonly dir: string;
  /** The database URL, `sqlite:` of `admin.db` in `dir`. */
  readonly url: string;
  /** The environment every command runs with. */
  readonly env: NodeJS.ProcessEnv;
  /** `cxauth admin ARGV`. */
  cli(...argv: string[]): Promise<CliRun>;
  /** `cxauth admin ARGV` reading `stdin`, with `env` over the fixture's environment. */
  run(argv: string[], o?: { stdin?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
  /** `cxauth admin ARGV --json`, which must exit 0 with nothing on stderr: its output, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the members of its own command's answer
  json(...argv: string[]): Promise<any>;
}

/** A fresh database for one test file, named `prefix…` in the temp folder; `extraEnv` beside it. */
export function adminCli(prefix: string, extraEnv: NodeJS.ProcessEnv = {}): AdminCli {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    env = { CXAUTH_DATA_DIR: dir, CXAUTH_DATABASE_URL: `sqlite:${path.join(dir, 'admin.db')}`, ...extraEnv };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run: AdminCli['run'] = (argv, o = {}) => runMain({ ...env, ...o.env }, ['admin', ...argv], o.stdin);
  return {
    get dir() {
      return dir;
    },
    get url() {
      return env['CXAUTH_DATABASE_URL'] as string;
    },
    get env() {
      return env;
    },
    cli: (...argv) => run(argv),
    run,
    async json(...argv) {
      const r = await run([...argv, '--json']);
      expect(r.err, r.err).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.out);
    },
  };
}
