// `cxauth admin <area|tenant|user|app|key> <verb>`: manages the database named by CXAUTH_DATABASE_URL
// through the server's admin service (migrating it first); secrets are printed once, at creation.

import {
  type Admin,
  AdminError,
  ConfigError,
  createAdmin,
  createMailer,
  ensureDefaultArea,
  KekError,
  loadConfig,
  loadKek,
  openStorage,
  ROUTE,
  SecretHasher,
  type Storage,
  signingKeyAdminOptions,
} from '@cxauth/server';
import { parseArgs } from '../args.js';
import { CliError, EXIT, type Io, print, unreachableDatabase } from '../io.js';
import { BOOTSTRAP_HELP, parseBootstrap, runBootstrap } from './admin/bootstrap.js';
import { KINDS } from './admin/kinds.js';
import { remoteAdmin, takeRemoteFlags } from './admin/remote/index.js';
import type { Kind, Values, Verb } from './admin/spec.js';

function usage(): string {
  const width = Math.max(...Object.keys(KINDS).map((k) => k.length));
  return [
    'usage: cxauth admin <kind> <verb> [options] [--json]',
    '',
    ...Object.entries(KINDS).map(
      ([name, kind]) => `  ${name.padEnd(width)}  ${Object.keys(kind.verbs).join('|')}  — ${kind.summary}`,
    ),
    `  ${'bootstrap'.padEnd(width)}  --email E [--totp]  — the first platform operator (password on stdin; once)`,
    '',
    'Uses CXAUTH_DATABASE_URL (default sqlite:$CXAUTH_DATA_DIR/cxauth.db) and CXAUTH_KEK or $CXAUTH_DATA_DIR/kek.',
    'With --server URL, --profile NAME or --demo-credentials FILE: the admin REST API instead, with',
    'a bearer token from --demo-credentials, CXAUTH_ADMIN_TOKEN or the profile `cxauth login` saved.',
    '`cxauth admin <kind> --help` for the options of each verb.',
  ].join('\n');
}

function kindUsage(name: string, kind: Kind): string {
  const lines = [`usage: cxauth admin ${name} <verb> [options] [--json]`, ''];
  for (const [verbName, verb] of Object.entries(kind.verbs)) {
    lines.push(`  cxauth admin ${name} ${verbName} ${verb.usage}`.trimEnd());
    for (const [option, spec] of Object.entries(verb.options)) {
      lines.push(`      --${option}${spec.type === 'string' ? ' VALUE' : ''}  ${spec.description}`);
    }
  }
  return lines.join('\n');
}

function parse(verb: Verb, argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...verb.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const wanted = verb.id ? 1 : 0;
  if (!values.help && positionals.length !== wanted) {
    throw new CliError(
      wanted === 1 ? `expected one ${verb.id} argument` : `unexpected argument "${positionals[0]}"`,
      EXIT.usage,
    );
  }
  return { values, id: positionals[0] };
}

/** Prints a verb's result as people or scripts read it, the same in both modes. */
async function render(verb: Verb, admin: Admin, values: Values, id: string | undefined, io: Io) {
  const json = values['json'] === true;
  const result = await verb.run(admin, values, id, io);
  if (verb.format && !json) io.stdout(verb.format(result));
  else print(io, result, json);
  // A public application has no secret to warn about.
  const shown =
    typeof result === 'object' &&
    result !== null &&
    ('client_secret' in result || 'accessKeySecret' in result || 'otpauth_uri' in result);
  if (verb.secret && shown && !json) {
    // A TOTP secret must be read back to check codes: it is sealed with the KEK, not hashed.
    io.stdout(
      'otpauth_uri' in result
        ? '\nThe URI above holds the TOTP secret and is shown only this once: it is stored sealed with the key-encryption key and cannot be shown again.'
        : '\nThe secret above is shown only this once: it is stored hashed and cannot be shown again.',
    );
  }
}

/**
 * Runs one admin subcommand against the configured database (closing it afterwards), or with
 * --server/--profile/--demo-credentials through the admin REST API.
 */
export async function run(args: string[], io: Io): Promise<number> {
  const { flags, rest: argv } = takeRemoteFlags(args);
  const [kindName, ...afterKind] = argv;
  if (kindName === undefined || kindName === '--help' || kindName === '-h' || kindName === 'help') {
    io.stdout(usage());
    return kindName === undefined ? EXIT.usage : EXIT.ok;
  }
  if (kindName === 'bootstrap') return bootstrap(flags, afterKind, io);
  const kind = KINDS[kindName];
  if (!kind)
    throw new CliError(`unknown kind "${kindName}" (expected ${Object.keys(KINDS).join(', ')})`, EXIT.usage);
  // A kind with a default verb may be run without one: `cxauth admin audit --since 1h`.
  const first = afterKind[0];
  const words =
    kind.defaultVerb !== undefined && (first === undefined || first.startsWith('--'))
      ? [kind.defaultVerb, ...afterKind]
      : afterKind;
  const [verbName, ...rest] = words;
  if (verbName === undefined || verbName === '--help' || verbName === '-h') {
    io.stdout(kindUsage(kindName, kind));
    return verbName === undefined ? EXIT.usage : EXIT.ok;
  }
  const verb = kind.verbs[verbName];
  if (!verb) {
    throw new CliError(
      `unknown verb "${verbName}" for ${kindName} (expected ${Object.keys(kind.verbs).join(', ')})`,
      EXIT.usage,
    );
  }
  const { values, id } = parse(verb, rest);
  if (values.help) {
    io.stdout(kindUsage(kindName, { ...kind, verbs: { [verbName]: verb } }));
    return EXIT.ok;
  }
  const remote = remoteAdmin(flags, io, kindName, verbName);
  if (remote) {
    await render(verb, remote, values, id, io);
    return EXIT.ok;
  }

  await onDatabase(io, (admin) => render(verb, admin, values, id, io));
  return EXIT.ok;
}

/** `cxauth admin bootstrap`: on the database only (nobody can sign in to the API before it). */
async function bootstrap(flags: ReturnType<typeof takeRemoteFlags>['flags'], argv: string[], io: Io) {
  const values = parseBootstrap(argv);
  if (values.help) {
    io.stdout(BOOTSTRAP_HELP);
    return EXIT.ok;
  }
  if (Object.values(flags).some((v) => v !== undefined)) {
    throw new CliError(
      'cxauth admin bootstrap works on the database (CXAUTH_DATABASE_URL), not through the admin API',
      EXIT.usage,
    );
  }
  await onDatabase(io, (admin, storage, issuer, passwordMinLength) =>
    runBootstrap(values, storage, admin, issuer, io, passwordMinLength),
  );
  return EXIT.ok;
}

/** Opens and migrates the configured database, runs `work` with the admin service, closes it. */
async function onDatabase(
  io: Io,
  work: (admin: Admin, storage: Storage, issuer: string, passwordMinLength: number) => Promise<void>,
): Promise<void> {
  try {
    const config = loadConfig(io.env);
    const kek = await loadKek(config);
    const storage = await openStorage(config.databaseUrl);
    try {
      await storage.migrate();
      // A fresh database gets the default area na1, so `tenant create --area na1` works at once.
      await ensureDefaultArea(storage, config);
      const admin = createAdmin(storage, new SecretHasher(kek), undefined, {
        passwordMinLength: config.mail.passwordMinLength,
        retention: config.retention,
        throttling: config.throttling,
        tokens: config.tokens,
        signing: signingKeyAdminOptions(config, kek),
        credentials: { kek, issuer: config.issuer },
        allowPrivateWebhooks: config.webhooks.allowPrivate,
        // The mail goes to the outbox; a running server's worker sends it.
        invitations: {
          mailer: createMailer({ storage, kek, clock: () => new Date() }),
          issuer: config.issuer,
          path: ROUTE.invitation.path,
          ttl: config.mail.invitationTtl,
        },
      });
      await work(admin, storage, config.issuer, config.mail.passwordMinLength);
    } finally {
      await storage.close();
    }
  } catch (err) {
    if (err instanceof AdminError || err instanceof ConfigError || err instanceof KekError) {
      throw new CliError(err.message.split('\n')[0] ?? err.message, EXIT.failed);
    }
    throw unreachableDatabase(err) ?? err;
  }
}
