// What a command reads and writes, passed in so that tests run commands in-process.
export interface Io {
  readonly env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads all of standard input (for `-` arguments). */
  readStdin(): Promise<string>;
}

export const processIo: Io = {
  env: process.env,
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Exit codes scripts can test: 0 done, 1 refused or failed, 2 bad usage, 3 could not reach a server. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, unreachable: 3 });

/** A failure to report as one line on stderr with an exit code (never a stack trace). */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * The one-line failure for a database that cannot be reached (exit 3, as for every server a command
 * cannot reach), or undefined when `err` is something else.
 */
export function unreachableDatabase(err: unknown): CliError | undefined {
  // Storage reports a fault as StorageUnavailableError, the driver's error as its cause.
  let found = err;
  while (found instanceof Error && (found as NodeJS.ErrnoException).code === undefined && found.cause) {
    found = found.cause;
  }
  const e = found as
    | (NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string })
    | undefined;
  // PostgreSQL's invalid_catalog_name: the server answers, the database named in the URL is not there.
  if (e?.code === '3D000') return missingDatabase(e.message);
  if (e?.code !== 'ECONNREFUSED' && e?.code !== 'ENOTFOUND' && e?.code !== 'ETIMEDOUT') return undefined;
  const where = e.address !== undefined ? `${e.address}:${e.port}` : (e.hostname ?? 'its host');
  return new CliError(`cannot reach the database at ${where} (CXAUTH_DATABASE_URL)`, EXIT.unreachable);
}

/**
 * The failure for a PostgreSQL server without the database CXAUTH_DATABASE_URL names: which one, and
 * the command that creates it (the service creates its tables, never the database itself).
 */
function missingDatabase(message: string): CliError {
  const name = /database "([^"]+)" does not exist/.exec(message)?.[1];
  const quoted = name ? `"${name.replace(/"/g, '""')}"` : 'NAME';
  return new CliError(
    `the PostgreSQL database ${name ? `"${name}" ` : ''}named in CXAUTH_DATABASE_URL does not exist: ` +
      `create it (e.g. \`createdb ${name ?? 'NAME'}\` or \`psql -c 'CREATE DATABASE ${quoted}'\` as a user ` +
      `allowed to), then start again; cxauth creates its tables itself`,
    EXIT.failed,
  );
}

/** Writes `data` as JSON (`--json`) or as aligned `key: value` lines for people. */
export function print(io: Io, data: unknown, json: boolean): void {
  if (json) {
    io.stdout(JSON.stringify(data, null, 2));
    return;
  }
  io.stdout(human(data, ''));
}

function human(data: unknown, indent: string): string {
  if (Array.isArray(data)) {
    if (data.length === 0) return `${indent}(none)`;
    return data.map((item) => human(item, indent)).join(`\n${indent}--\n`);
  }
  if (data !== null && typeof data === 'object') {
    const entries = Object.entries(data as Record<string, unknown>);
    const width = Math.max(0, ...entries.map(([k]) => k.length));
    return entries
      .map(([key, value]) =>
        value !== null &&
        typeof value === 'object' &&
        !(Array.isArray(value) && value.every((v) => typeof v !== 'object'))
          ? `${indent}${key}:\n${human(value, `${indent}  `)}`
          : `${indent}${key.padEnd(width)}  ${Array.isArray(value) ? value.join(', ') : String(value)}`,
      )
      .join('\n');
  }
  return `${indent}${String(data)}`;
}
