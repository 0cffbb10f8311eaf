// The log of `cxauth serve`: lines gathered into one stderr write per turn, the level and format
// settings, the short terminal line, and a regional API logging through it (no line for a success at
// info, one for a refusal, never the token).
import { createRegionalServer, SERVER_TIME_PATH } from '@cxauth/regional';
import { afterEach, describe, expect, it } from 'vitest';
import { accessClaims, mint, startIssuer } from '../../verify/test/support/issuer.js';
import type { Io } from '../src/io.js';
import { LineBatcher, openServeLog, prettyLine } from '../src/logging.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** An Io whose stderr calls are kept, one entry per call. */
function captureIo(env: Record<string, string> = {}): Io & { writes: string[] } {
  const writes: string[] = [];
  return {
    env,
    writes,
    stdout: () => undefined,
    stderr: (text) => writes.push(text),
    readStdin: async () => '',
  };
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const log of opened.splice(0)) log.close();
});

describe('LineBatcher', () => {
  it('writes the lines of one turn of the event loop in one call', async () => {
    const writes: string[] = [];
    const batcher = new LineBatcher((text) => writes.push(text));
    batcher.write('{"a":1}\n');
    batcher.write('{"a":2}\n');
    batcher.write('{"a":3}\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n{"a":3}\n']);
    batcher.write('{"a":4}\n');
    batcher.flush();
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n{"a":3}\n', '{"a":4}\n']);
    await nextTurn();
    expect(writes).toHaveLength(2);
  });

  it('writes at once when a turn gathers more than 64 KiB', () => {
    const writes: string[] = [];
    const batcher = new LineBatcher((text) => writes.push(text));
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 65; i++) batcher.write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(65 * 1024);
  });
});

describe('prettyLine', () => {
  const time = new Date(2025, 0, 2, 3, 4, 5, 6).getTime();

  it('shows a request as time, level, area, method, path, status and duration', () => {
    const line = JSON.stringify({
      level: 30,
      time,
      pid: 1,
      hostname: 'h',
      reqId: 'req-1',
      area: 'na1',
      method: 'GET',
      path: SERVER_TIME_PATH,
      status: 401,
      ms: 2,
      msg: 'request',
    });
    expect(prettyLine(`${line}\n`)).toBe(`03:04:05.006 INFO  na1 GET ${SERVER_TIME_PATH} 401 2 ms\n`);
  });

  it('shows other lines as their message and fields, an error by its message only', () => {
    const line = JSON.stringify({
      level: 40,
      time,
      pid: 1,
      hostname: 'h',
      area: 'na1',
      reason: 'fetch failed',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.js:1:1)' },
      msg: 'JWKS load failed; last good keys kept',
    });
    expect(prettyLine(line)).toBe(
      '03:04:05.006 WARN  JWKS load failed; last good keys kept area=na1 reason="fetch failed" err="boom"\n',
    );
  });

  it('keeps what is not a JSON object as it is', () => {
    expect(prettyLine('plain text\n')).toBe('plain text\n');
    expect(prettyLine('[1,2]\n')).toBe('[1,2]\n');
  });
});

describe('openServeLog', () => {
  it('is JSON when stderr is not a terminal, pretty when it is, or as CXAUTH_LOG_FORMAT says', () => {
    const io = captureIo();
    const logs = [
      openServeLog(io, { level: 'info', isTty: false }),
      openServeLog(io, { level: 'info', isTty: true }),
      openServeLog(io, { level: 'debug', format: 'json', isTty: true }),
    ];
    opened.push(...logs);
    expect(logs.map((l) => [l.format, l.logger.level])).toEqual([
      ['json', 'info'],
      ['pretty', 'info'],
      ['json', 'debug'],
    ]);
  });

  it('refuses an unknown level or format, naming the setting', () => {
    expect(() => openServeLog(captureIo(), { level: 'verbose' })).toThrow(/CXAUTH_LOG_LEVEL .*"verbose"/);
    expect(() => openServeLog(captureIo(), { level: 'info', format: 'xml' })).toThrow(
      /CXAUTH_LOG_FORMAT .*"xml"/,
    );
  });

  it('writes what is gathered on close, and stops watching the exit', () => {
    const io = captureIo();
    const exitListeners = process.listenerCount('exit');
    const log = openServeLog(io, { level: 'info', isTty: false });
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    log.logger.stream.write('{"msg":"last words"}\n');
    log.close();
    expect(io.writes).toEqual(['{"msg":"last words"}\n']);
    expect(process.listenerCount('exit')).toBe(exitListeners);
  });
});

describe('a regional API logging through it', () => {
  it.each([
    ['json', /^\{.*"level":30.*"status":401.*\}$/],
    [
      'pretty',
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}na1 GET \/inContactAPI\/services\/v25\.0\/server-time 401 \d+ ms$/,
    ],
  ])(
    'writes no line for a success and one %s line for a refusal, never the token',
    async (format, refusal) => {
      const issuer = await startIssuer();
      const io = captureIo();
      const log = openServeLog(io, { level: 'info', format });
      opened.push(log);
      const app = await createRegionalServer({ area: 'na1', issuer: issuer.url, logger: log.logger });
      try {
        const token = await mint(issuer.key, accessClaims(issuer.url, Math.floor(Date.now() / 1000)));
        await app.ready();
        await nextTurn();
        log.flush();
        const before = io.writes.length;
        for (let i = 0; i < 5; i++) {
          const res = await app.inject({
            url: SERVER_TIME_PATH,
            headers: { authorization: `Bearer ${token}` },
          });
          expect(res.statusCode).toBe(200);
        }
        await nextTurn();
        expect(io.writes.slice(before)).toEqual([]);

        const refused = await app.inject({
          url: SERVER_TIME_PATH,
          headers: { authorization: `Bearer ${token}x` },
        });
        expect(refused.statusCode).toBe(401);
        await nextTurn();
        log.flush();
        const written = io.writes.slice(before).join('').trim().split('\n');
        expect(written).toHaveLength(1);
        expect(written[0]).toMatch(refusal);
        expect(io.writes.join('')).not.toContain(token.split('.')[2]);
      } finally {
        await app.close();
        await issuer.close();
      }
    },
  );
});
