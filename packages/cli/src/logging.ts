// How `cxauth serve` logs, one way for the global service and every regional API: pino JSON lines (or a
// short line each when stderr is a terminal) through one writer that gathers the lines of a turn of the
// event loop into one stderr write, so a busy server never makes a system call per line.
import { Writable } from 'node:stream';
import type { Io } from './io.js';

/** Pino's levels, most severe first; `silent` writes nothing. */
export const LOG_LEVELS = Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** `json`: one pino JSON object per line (for collectors); `pretty`: one short line for people. */
export type LogFormat = 'json' | 'pretty';

/** Where the servers of one `cxauth serve` log: what to pass as their `logger` option. */
export interface ServeLog {
  readonly level: string;
  readonly format: LogFormat;
  /** Logger options for `startAuthService` and `createRegionalServer` alike (pino `{ level, stream }`). */
  readonly logger: { readonly level: string; readonly stream: Writable };
  /** Writes out what is gathered so far (before a message written around the log, for instance). */
  flush(): void;
  /** Writes out what is still gathered and stops watching for the process's exit. */
  close(): void;
}

/** What {@link openServeLog} reads: the level, an explicit format, and whether stderr is a terminal. */
export interface ServeLogOptions {
  level: string;
  /** `json` or `pretty`; default `pretty` on a terminal, else `json`. */
  format?: string | undefined;
  isTty?: boolean | undefined;
}

/** Lines gathered beyond this many characters are written at once instead of at the end of the turn. */
const MAX_PENDING = 64 * 1024;

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every pino line has, left out of the pretty line (the time and level lead it instead). */
const PLUMBING = new Set(['level', 'time', 'pid', 'hostname', 'reqId', 'msg']);
/** The fields of a request line, shown as `METHOD path status ms` rather than as `key=value`. */
const REQUEST_FIELDS = new Set(['area', 'method', 'path', 'status', 'ms']);

function two(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function valueText(key: string, value: unknown): string {
  if (key === 'err' && typeof value === 'object' && value !== null && 'message' in value) {
    return JSON.stringify(String((value as { message: unknown }).message));
  }
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) return value;
  return JSON.stringify(value);
}

/**
 * One pino JSON line as people read it on a terminal, e.g.
 * `20:31:02.114 INFO  na1 GET /inContactAPI/services/v25.0/server-time 401 0 ms`; anything that is not
 * a JSON object is kept as it is. Only what the logger wrote (already redacted) is shown.
 */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const at = new Date(typeof entry['time'] === 'number' ? entry['time'] : Date.now());
  const parts = [
    `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${two(at.getMilliseconds(), 3)}`,
    LEVEL_NAMES[entry['level'] as number] ?? String(entry['level']),
  ];
  const isRequest = entry['msg'] === 'request' && 'status' in entry;
  if (isRequest) {
    if (entry['area'] !== undefined) parts.push(String(entry['area']));
    parts.push(String(entry['method']), String(entry['path']), String(entry['status']), `${entry['ms']} ms`);
  } else if (entry['msg'] !== undefined) {
    parts.push(String(entry['msg']));
  }
  for (const [key, value] of Object.entries(entry)) {
    if (PLUMBING.has(key) || (isRequest && REQUEST_FIELDS.has(key)) || value === undefined) continue;
    parts.push(`${key}=${valueText(key, value)}`);
  }
  return `${parts.join(' ')}\n`;
}

/**
 * A stream for pino that gathers lines and hands them to `write` in one call when the current turn of
 * the event loop ends (or sooner, past {@link MAX_PENDING} characters). `flush()` writes at once.
 */
export class LineBatcher extends Writable {
  readonly #write: (text: string) => void;
  readonly #format: (line: string) => string;
  #pending: string[] = [];
  #size = 0;
  #scheduled = false;

  constructor(write: (text: string) => void, format: (line: string) => string = (line) => line) {
    super({ decodeStrings: false });
    this.#write = write;
    this.#format = format;
  }

  override _write(
    chunk: string | Buffer,
    _encoding: BufferEncoding,
    done: (err?: Error | null) => void,
  ): void {
    const line = this.#format(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    this.#pending.push(line);
    this.#size += line.length;
    if (this.#size > MAX_PENDING) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
    done();
  }

  /** Writes every gathered line now, in one call. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#size = 0;
    this.#write(text);
  }
}

/** The format asked for, or the default for where stderr goes. */
function formatOf(options: ServeLogOptions): LogFormat {
  const format = options.format || (options.isTty ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') {
    throw new Error(`CXAUTH_LOG_FORMAT must be json or pretty; it is "${format}"`);
  }
  return format;
}

/**
 * Opens the log of one `cxauth serve`: a {@link LineBatcher} writing through `io.stderr`, in the format
 * asked for. A line still gathered when the process exits is written by an `exit` listener.
 * @throws Error when the level or format is not one of the known names.
 */
export function openServeLog(io: Io, options: ServeLogOptions): ServeLog {
  const level = options.level;
  if (!LOG_LEVELS.includes(level)) {
    throw new Error(`CXAUTH_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}; it is "${level}"`);
  }
  const format = formatOf(options);
  const stream = new LineBatcher((text) => io.stderr(text), format === 'pretty' ? prettyLine : undefined);
  const onExit = () => stream.flush();
  process.once('exit', onExit);
  return {
    level,
    format,
    logger: { level, stream },
    flush: onExit,
    close() {
      process.off('exit', onExit);
      stream.flush();
    },
  };
}
