// Reading a new password for `admin user set-password`: from standard input, never from argv (which
// other users of the machine can read); on a terminal, without echoing it.
import { CliError, EXIT, type Io, processIo } from '../../io.js';

/** Reads one line from a terminal in raw mode, echoing nothing. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      err ? reject(err) : resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled', EXIT.usage));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The password given on standard input (its first line), or typed at the terminal without echo. */
export async function readPassword(io: Io): Promise<string> {
  if (io === processIo && process.stdin.isTTY) return readHidden('New password: ');
  const line = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (line === '') throw new CliError('give the new password on standard input', EXIT.usage);
  return line;
}
