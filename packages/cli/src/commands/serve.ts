// `cxauth serve [auth|api] [--demo]`: the global service and the regional API of every area hosted
// here, in one process, until SIGINT/SIGTERM; or one side alone.

import { drain } from '@cxauth/internal';
import {
  consoleUrl,
  createAdmin,
  DEMO_CREDENTIALS_FILE,
  type DemoSeed,
  ensureConsoleApp,
  ensureDefaultArea,
  hasOperator,
  httpTimeouts,
  loadConfig,
  type RunningAuthService,
  type ServerConfig,
  seedDemo,
  startAuthService,
} from '@cxauth/server';
import { parseArgs } from '../args.js';
import { CliError, EXIT, type Io, print } from '../io.js';
import { openServeLog, type ServeLog } from '../logging.js';
import { reportDemo, SEEDED_ELSEWHERE } from './serve/demo-report.js';
import { apiDpopOptions, type Listening, localEndpoint, startRegional } from './serve/regional.js';
import { startupError } from './serve/startup-error.js';
import { regionalMetrics } from './serve-metrics.js';

const HELP = `usage: cxauth serve [--demo] [--json]
       cxauth serve auth [--demo] [--json]
       cxauth serve api --area NAME --issuer URL [--port P] [--origin URL] [--revocation on|off] [--json]

serve        the global service on CXAUTH_PORT (8080), and the regional API of every area whose
             api_endpoint is on this host (127.0.0.1/localhost), each on its URL's port
serve auth   the global service alone
serve api    one area's regional API alone (no database; port default CXAUTH_API_PORT, 8081); it
             follows the issuer's revocation feed (--revocation off: not) and keeps the last good
             keys and feed state in CXAUTH_DATA_DIR
--origin     (serve api) the public origin clients call the API at, e.g. https://na1.api.example.com:
             a DPoP proof's htu must name it (behind a proxy; default the request's Host)
--demo       on an empty database create a demo tenant, user, access key and application, print
             them once and keep them in $CXAUTH_DATA_DIR/${DEMO_CREDENTIALS_FILE}; on a database
             another node seeded, serve it (its credentials are in that node's data folder)
Logs go to stderr, one line per request at most and never a credential: JSON lines, or a short line
each on a terminal (CXAUTH_LOG_FORMAT=json|pretty); CXAUTH_LOG_LEVEL=info (default) leaves out
successful discovery, JWKS, health and regional API calls, debug adds them. On SIGINT/SIGTERM it
drains: in-flight requests finish, then it exits within CXAUTH_SHUTDOWN_TIMEOUT_MS (10000).
Metrics: CXAUTH_MANAGEMENT_PORT serves the global service's /metrics, /healthz and /readyz;
CXAUTH_API_MANAGEMENT_PORT serves the regional APIs' /metrics (every area of this process).
DPoP: CXAUTH_API_DPOP_NONCE=on makes the regional APIs require their nonce in each proof (RFC 9449
§9); give every node of an area the same CXAUTH_API_DPOP_NONCE_SECRET (32+ characters).`;

/** The command that makes the first operator (docs/admin.md, "The first operator"). */
const FIRST_OPERATOR = 'npx cxauth admin bootstrap --email you@example.com   # asks for the password';

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The log of this command, from CXAUTH_LOG_LEVEL (or the config's level) and CXAUTH_LOG_FORMAT. */
function openLog(io: Io, level: string): ServeLog {
  try {
    return openServeLog(io, { level, format: io.env['CXAUTH_LOG_FORMAT'], isTty: process.stderr.isTTY });
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

async function serveApi(io: Io, values: Record<string, string | boolean | undefined>): Promise<number> {
  const area = values['area'];
  const issuer = values['issuer'] ?? io.env['CXAUTH_ISSUER'];
  if (typeof area !== 'string' || typeof issuer !== 'string') {
    throw new CliError('serve api needs --area NAME and --issuer URL', EXIT.usage);
  }
  // What createRegionalServer would refuse with a TypeError, said as bad usage.
  if (!/^[A-Za-z0-9_-]+$/.test(area)) {
    throw new CliError(`--area must be a name such as "na1" (letters, digits, "_", "-")`, EXIT.usage);
  }
  if (!URL.canParse(issuer)) throw new CliError(`--issuer must be an absolute URL`, EXIT.usage);
  const rawPort = values['port'] ?? io.env['CXAUTH_API_PORT'] ?? '8081';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a port number; it is "${String(rawPort)}"`, EXIT.usage);
  }
  const timeouts = httpTimeouts(io.env);
  const revocation = values['revocation'] ?? 'on';
  if (revocation !== 'on' && revocation !== 'off') {
    throw new CliError('--revocation must be on or off', EXIT.usage);
  }
  const origin = values['origin'];
  if (origin !== undefined && !isOrigin(origin)) {
    throw new CliError('--origin must be an http(s) origin such as https://na1.api.example.com', EXIT.usage);
  }
  const dpop = dpopOf(io.env);
  const log = openLog(io, io.env['CXAUTH_LOG_LEVEL'] || 'info');
  try {
    // Listen for signals before anything is printed: a supervisor may signal as soon as it sees output.
    const stopped = untilSignal();
    const management = await regionalMetrics(io);
    const api = await startRegional(
      log,
      {
        area,
        issuer,
        audience: io.env['CXAUTH_AUDIENCE'] || 'cxauth-api',
        host: io.env['CXAUTH_HOST'] || '127.0.0.1',
        port,
        timeouts,
        dataDir: io.env['CXAUTH_DATA_DIR'] || './data',
        revocation: revocation === 'on',
        ...(typeof origin === 'string' ? { origin: origin.replace(/\/$/, '') } : {}),
        ...(dpop ? { dpop } : {}),
      },
      management?.metrics,
    ).catch(async (err: unknown) => {
      await management?.server.close();
      throw err;
    });
    const report = {
      issuer,
      apis: [{ area, url: api.url }],
      ...(management ? { apiMetrics: management.server.url } : {}),
    };
    print(io, report, values['json'] === true);
    const signal = await stopped;
    log.flush();
    io.stderr(`cxauth serve: ${signal}, draining`);
    await management?.server.close();
    await drain(api.app, timeouts.shutdownTimeoutMs);
    return EXIT.ok;
  } finally {
    log.close();
  }
}

/** True for an http(s) URL of scheme and host (and port) only: what a DPoP `htu` starts with. */
function isOrigin(value: string | boolean): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    `${url.origin}/` === url.href.replace(/\/?$/, '/')
  );
}

/** The regional APIs' DPoP options from the environment, a bad value said as bad usage. */
function dpopOf(env: NodeJS.ProcessEnv): ReturnType<typeof apiDpopOptions> {
  try {
    return apiDpopOptions(env);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.usage);
  }
}

/**
 * Starts an area's regional API; its port already in use is said with the area's name and the usual
 * cause on one host: another node serves that area already (a second node runs `cxauth serve auth`).
 */
async function startRegionalOf(area: string, start: () => Promise<Listening>): Promise<Listening> {
  try {
    return await start();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e?.code !== 'EADDRINUSE') throw err;
    throw new CliError(
      `the API port of area ${area} (${e.port ?? 'its api_endpoint'}) is already in use: when another ` +
        `node on this host serves that area, start this one with \`cxauth serve auth\` (the global ` +
        `service alone; docs/operations.md, "Running several nodes")`,
    );
  }
}

async function serveAuth(io: Io, config: ServerConfig, demo: boolean, withApis: boolean, json: boolean) {
  const log = openLog(io, config.logLevel);
  try {
    return await serveAuthWith(io, log, config, demo, withApis, json);
  } finally {
    log.close();
  }
}

async function serveAuthWith(
  io: Io,
  log: ServeLog,
  config: ServerConfig,
  demo: boolean,
  withApis: boolean,
  json: boolean,
): Promise<number> {
  // Listen for signals before anything is printed: a supervisor may signal as soon as it sees output.
  const dpop = dpopOf(io.env);
  const stopped = untilSignal();
  let seeded: DemoSeed | undefined;
  const service: RunningAuthService = await startAuthService(config, {
    // The same log as the regional APIs': gathered lines, one stderr write per turn of the event loop.
    logger: log.logger,
    beforeListen: async ({ storage, hasher }) => {
      await ensureDefaultArea(storage, config);
      await ensureConsoleApp(storage, config);
      if (demo) seeded = await seedDemo(storage, createAdmin(storage, hasher), config);
    },
  });
  const apis: Listening[] = [];
  let management: Awaited<ReturnType<typeof regionalMetrics>>;
  try {
    if (withApis) {
      management = await regionalMetrics(io);
      const ports = new Set<number>();
      for (const area of await service.storage.areas.list()) {
        const local = localEndpoint(area.apiEndpoint);
        if (!local) continue;
        if (ports.has(local.port)) {
          io.stderr(
            `cxauth serve: area ${area.name} shares port ${local.port} with another area; not started`,
          );
          continue;
        }
        ports.add(local.port);
        apis.push(
          await startRegionalOf(area.name, () =>
            startRegional(
              log,
              {
                area: area.name,
                issuer: config.issuer,
                audience: config.tokens.audience,
                dataDir: config.dataDir,
                ...local,
                timeouts: config.timeouts,
                ...(dpop ? { dpop } : {}),
              },
              management?.metrics,
            ),
          ),
        );
      }
    }
  } catch (err) {
    await management?.server.close();
    await Promise.all(apis.map((a) => a.app.close()));
    await service.close();
    throw err;
  }
  const report: Record<string, unknown> = {
    issuer: config.issuer,
    auth: service.url,
    console: consoleUrl(config.issuer),
    apis: apis.map((a) => ({ area: a.area, url: a.url })),
  };
  if (service.managementUrl) report['management'] = service.managementUrl;
  if (management) report['apiMetrics'] = management.server.url;
  if (seeded?.created) report['demo'] = seeded.credentials;
  if (seeded?.outcome === 'seeded-elsewhere') report['demo_credentials'] = SEEDED_ELSEWHERE;
  // Nobody can sign in to the console yet: say how to make the first operator.
  const noOperator = !(await hasOperator(service.storage));
  if (noOperator) report['first_operator'] = FIRST_OPERATOR;
  if (json) {
    print(io, report, true);
  } else {
    io.stdout(`cxauth global service listening on ${service.url} (issuer ${config.issuer})`);
    io.stdout(`cxauth console: ${report.console}`);
    for (const a of apis) io.stdout(`cxauth regional API ${a.area} listening on ${a.url}`);
    if (seeded) reportDemo(io, seeded);
    if (noOperator) {
      io.stdout(
        `No operator can sign in to the console yet. Create the first one (in another terminal, with this ` +
          `node's CXAUTH_DATABASE_URL / CXAUTH_DATA_DIR):\n  ${FIRST_OPERATOR}`,
      );
    }
  }
  const signal = await stopped;
  // The gathered request lines first, so the shutdown notice comes after them.
  log.flush();
  io.stderr(`cxauth serve: ${signal}, draining`);
  await management?.server.close();
  const timeout = config.timeouts.shutdownTimeoutMs;
  await Promise.all([...apis.map((a) => drain(a.app, timeout)), service.close()]);
  return EXIT.ok;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      demo: { type: 'boolean' },
      json: { type: 'boolean' },
      area: { type: 'string' },
      issuer: { type: 'string' },
      port: { type: 'string' },
      origin: { type: 'string' },
      revocation: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const [mode, ...extra] = positionals;
  if (extra.length > 0 || (mode !== undefined && mode !== 'auth' && mode !== 'api')) {
    throw new CliError(`unknown argument "${positionals.join(' ')}"\n\n${HELP}`, EXIT.usage);
  }
  try {
    return await serveMode(io, mode, values);
  } catch (err) {
    throw startupError(err) ?? err;
  }
}

async function serveMode(
  io: Io,
  mode: string | undefined,
  values: Record<string, string | boolean | undefined>,
): Promise<number> {
  if (mode === 'api') return serveApi(io, values);
  if (values.area || values.issuer || values.port || values.origin || values.revocation) {
    throw new CliError(
      '--area, --issuer, --port, --origin and --revocation belong to `serve api`',
      EXIT.usage,
    );
  }
  // A ConfigError becomes a usage error (exit 2) in startupError, with every other start-up failure.
  const config = loadConfig(io.env);
  return serveAuth(io, config, values.demo === true, mode === undefined, values.json === true);
}
