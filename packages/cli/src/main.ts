// The `cxauth` command: dispatches to one module per command (commands/*.ts), each exporting `run`.
import { CliError, EXIT, type Io, processIo } from './io.js';

type Command = { run(argv: string[], io: Io): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: {
    summary: 'run the global service and regional APIs (serve [auth|api] [--demo])',
    load: () => import('./commands/serve.js'),
  },
  admin: {
    summary: 'manage tenants, users, applications, access keys, areas',
    load: () => import('./commands/admin.js'),
  },
  discover: {
    summary: "print an issuer's OpenID configuration",
    load: () => import('./commands/discover.js'),
  },
  token: {
    summary: 'obtain an access token with an access key (or --client-credentials)',
    load: () => import('./commands/token.js'),
  },
  login: {
    summary: 'sign in through the browser (code flow + PKCE) and save the tokens',
    load: () => import('./commands/login.js'),
  },
  logout: {
    summary: 'end the session of `cxauth login` and delete its saved tokens',
    load: () => import('./commands/logout.js'),
  },
  revoke: {
    summary: 'revoke a refresh or access token (RFC 7009)',
    load: () => import('./commands/revoke.js'),
  },
  introspect: {
    summary: 'ask whether a token is active (RFC 7662)',
    load: () => import('./commands/introspect.js'),
  },
  decode: {
    summary: 'decode a JWT locally (never sent anywhere)',
    load: () => import('./commands/decode.js'),
  },
  tenant: {
    summary: "discover the token's tenant and its api_endpoint",
    load: () => import('./commands/tenant.js'),
  },
  api: {
    summary: 'call the API with a bearer token: api <METHOD> <path>',
    load: () => import('./commands/api.js'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'usage: cxauth <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command that prints data takes --json. `cxauth <command> --help` for its options.',
  ].join('\n');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (io === processIo) ignoreClosedPipes();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.stdout('0.1.0');
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`cxauth: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await (await command.load()).run(rest, io);
  } catch (err) {
    const fail = (message: string, exitCode: number): number => {
      // With --json, stdout stays one JSON document even when the command fails (as SDK errors do).
      if (wantsJson(rest))
        io.stdout(JSON.stringify({ error: { code: EXIT_NAMES[exitCode], message } }, null, 2));
      io.stderr(`cxauth ${name}: ${message}`);
      return exitCode;
    };
    if (err instanceof CliError) return fail(err.message, err.exitCode);
    // parseArgs reports unknown or malformed options with these codes, some over several lines;
    // every failure here is one line.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      return fail(withoutLongWords((err as Error).message.replace(/\s*\n\s*/g, ' ')), EXIT.usage);
    }
    return fail(`unexpected failure: ${(err as Error)?.message ?? String(err)}`, EXIT.failed);
  }
}

/**
 * A reader that stops early (`cxauth admin user list | head`) closes the pipe: the unread rest is
 * dropped and the command ends as it would have, instead of dying on an unhandled EPIPE stack trace.
 */
function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
}

const EXIT_NAMES: Readonly<Record<number, string>> = {
  [EXIT.failed]: 'failed',
  [EXIT.usage]: 'usage',
  [EXIT.unreachable]: 'unreachable',
};

/** True when --json appears among the options (before a `--` that ends them). */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * node:util quotes the word it refused; a word longer than any option's name (34 characters or more)
 * is an argument, a token or a secret that happens to start with `--`, and an error line must not print
 * it: its first characters stand for it.
 */
export function withoutLongWords(message: string): string {
  return message.replace(/(['"])(-{0,2}[^'"\s]{0,4})[^'"\s]{34,}\1/g, '$1$2…$1');
}
