// The files cxauth writes (the SQLite database and its -wal/-shm, the kek, the demo credentials) are its
// owner's alone: 0600 in a 0700 folder, whatever the umask. A folder or file found with wider modes is
// tightened; one that cannot be (another owner) stops the start with what to change.
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Sets `mode` on `target` unless it has it already; says what to run when it cannot. */
function tighten(target: string, mode: number, what: string): void {
  let current: number;
  try {
    current = statSync(target).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (current === mode) return;
  try {
    chmodSync(target, mode);
  } catch (err) {
    throw new ConfigError(
      `${what} ${target} is mode ${current.toString(8).padStart(4, '0')} and cannot be made ` +
        `${mode.toString(8).padStart(4, '0')} (${(err as NodeJS.ErrnoException).code}): ` +
        `run \`chmod ${mode.toString(8)} ${target}\` as its owner, or choose a folder of your own (CXAUTH_DATA_DIR).`,
      { cause: err },
    );
  }
}

/**
 * Creates `dir` (and its missing parents) mode 0700, or makes an existing one 0700. The umask can only
 * narrow the mode of `mkdir`, and a folder made by someone else keeps its mode, hence the chmod.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE, 'the data folder');
}

/** Makes an existing folder 0700 (one found from before, or made under a permissive umask); no-op when absent. */
export function tightenPrivateDir(dir: string): void {
  tighten(dir, PRIVATE_DIR_MODE, 'the data folder');
}

/** Makes an existing file 0600 (a file written by an older version or another tool); no-op when absent. */
export function tightenPrivateFile(file: string): void {
  tighten(file, PRIVATE_FILE_MODE, 'the file');
}

/**
 * Prepares a SQLite database file before the driver opens it: its folder is created 0700 when missing,
 * the file is created 0600 when missing (SQLite would create it 0644 minus the umask), and the file and
 * any -wal, -shm or -journal beside it are made 0600. SQLite creates its -wal and -shm files with the
 * mode of the database file, so they stay 0600 too.
 */
export function preparePrivateDatabaseFile(file: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const suffix of ['', '-wal', '-shm', '-journal']) tightenPrivateFile(`${file}${suffix}`);
}
