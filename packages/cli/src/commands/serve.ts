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

const HELP = `usage: cxauth serve [--demo] [--origin URL | --origin AREA=URL ...] [--json]
       cxauth serve auth [--demo] [--json]
       cxauth serve api --area NAME --issuer URL [--port P] [--origin URL] [--revocation on|off] [--json]

serve        the global service on CXAUTH_PORT (8080), and the regional API of every area whose
             api_endpoint is on this host (127.0.0.1/localhost), each on its URL's port
serve auth   the global service alone
serve api    one area's regional API alone (no database; port default CXAUTH_API_PORT, 8081); it
             follows the issuer's revocation feed (--revocation off: not) and keeps the last good
             keys and feed state in CXAUTH_DATA_DIR
--origin     the public origin clients call the regional API at, e.g. https://na1.api.example.com:
             a DPoP proof's htu must name it (behind a proxy; default the request's Host). serve
             takes it for the one area it serves, or AREA=URL once per area when it serves several
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

/** The options of `cxauth serve` (only `--origin` may be given more than once). */
interface ServeValues {
  demo?: boolean | undefined;
  json?: boolean | undefined;
  area?: string | undefined;
  issuer?: string | undefined;
  port?: string | undefined;
  origin?: string[] | undefined;
  revocation?: string | undefined;
}

async function serveApi(io: Io, values: ServeValues): Promise<number> {
  const area = values.area;
  const issuer = values.issuer ?? io.env['CXAUTH_ISSUER'];
  if (typeof area !== 'string' || typeof issuer !== 'string') {
    throw new CliError('serve api needs --area NAME and --issuer URL', EXIT.usage);
  }
  // What createRegionalServer would refuse with a TypeError, said as bad usage.
  if (!/^[A-Za-z0-9_-]+$/.test(area)) {
    throw new CliError(`--area must be a name such as "na1" (letters, digits, "_", "-")`, EXIT.usage);
  }
  if (!URL.canParse(issuer)) throw new CliError(`--issuer must be an absolute URL`, EXIT.usage);
  const rawPort = values.port ?? io.env['CXAUTH_API_PORT'] ?? '8081';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError(`--port must be a port number; it is "${String(rawPort)}"`, EXIT.usage);
  }
  const timeouts = httpTimeouts(io.env);
  const revocation = values.revocation ?? 'on';
  if (revocation !== 'on' && revocation !== 'off') {
    throw new CliError('--revocation must be on or off', EXIT.usage);
  }
  const origin = originOfAreas(originsOf(values.origin), [area]).get(area);
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
        ...(origin === undefined ? {} : { origin }),
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
    print(io, report, values.json === true);
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
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    `${url.origin}/` === url.href.replace(/\/?$/, '/')
  );
}

/** The public origins of `--origin`: one for the only area served (`any`), or one per `AREA=URL`. */
interface Origins {
  any: string | undefined;
  byArea: Map<string, string>;
}

const ORIGIN_USAGE =
  '--origin must be an http(s) origin such as https://na1.api.example.com, or AREA=ORIGIN for one of several areas';

/** Parses the `--origin` values (each `URL` or `AREA=URL`; at most one bare URL, one per area). */
function originsOf(raw: readonly string[] | undefined): Origins {
  const origins: Origins = { any: undefined, byArea: new Map() };
  for (const value of raw ?? []) {
    const named = /^([A-Za-z0-9_-]+)=(.*)$/.exec(value);
    const url = named ? (named[2] as string) : value;
    if (!isOrigin(url)) throw new CliError(ORIGIN_USAGE, EXIT.usage);
    const origin = url.replace(/\/$/, '');
    if (named) {
      const area = named[1] as string;
      if (origins.byArea.has(area)) throw new CliError(`--origin names area ${area} twice`, EXIT.usage);
      origins.byArea.set(area, origin);
    } else {
      if (origins.any !== undefined) throw new CliError('--origin URL is given twice', EXIT.usage);
      origins.any = origin;
    }
  }
  if (origins.any !== undefined && origins.byArea.size > 0) {
    throw new CliError('--origin takes one URL, or AREA=URL for each area: not both', EXIT.usage);
  }
  return origins;
}

/**
 * The origin of each area `serve` starts an API for: a bare `--origin URL` is that of the one area,
 * refused when there are several (it would be wrong for all but one); `AREA=URL` must name an area
 * served here.
 */
function originOfAreas(origins: Origins, areas: readonly string[]): Map<string, string> {
  if (origins.any !== undefined) {
    if (areas.length !== 1) {
      throw new CliError(
        `--origin URL fits one regional API, and this node serves ${areas.length} (${areas.join(', ') || 'none'}): ` +
          'give --origin AREA=URL for each',
        EXIT.usage,
      );
    }
    return new Map([[areas[0] as string, origins.any]]);
  }
  for (const area of origins.byArea.keys()) {
    if (!areas.includes(area)) {
      throw new CliError(
        `--origin names area ${area}, whose API this node does not serve (it serves ${areas.join(', ') || 'none'})`,
        EXIT.usage,
      );
    }
  }
  return origins.byArea;
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

/** How `serve` runs: `apis` false for `serve auth`; `origins` from `--origin`. */
interface ServeSettings {
  demo: boolean;
  apis: boolean;
  json: boolean;
  origins: Origins;
}

async function serveAuth(io: Io, config: ServerConfig, settings: ServeSettings) {
  const log = openLog(io, config.logLevel);
  try {
    return await serveAuthWith(io, log, config, settings);
  } finally {
    log.close();
  }
}

async function serveAuthWith(
  io: Io,
  log: ServeLog,
  config: ServerConfig,
  { demo, apis: withApis, json, origins }: ServeSettings,
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
      const ports = new Set<number>();
      const served: { name: string; local: { host: string; port: number } }[] = [];
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
        served.push({ name: area.name, local });
      }
      const originOf = originOfAreas(
        origins,
        served.map((a) => a.name),
      );
      management = await regionalMetrics(io);
      for (const { name, local } of served) {
        const origin = originOf.get(name);
        apis.push(
          await startRegionalOf(name, () =>
            startRegional(
              log,
              {
                area: name,
                issuer: config.issuer,
                audience: config.tokens.audience,
                dataDir: config.dataDir,
                ...local,
                timeouts: config.timeouts,
                ...(origin === undefined ? {} : { origin }),
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
      origin: { type: 'string', multiple: true },
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

async function serveMode(io: Io, mode: string | undefined, values: ServeValues): Promise<number> {
  if (mode === 'api') return serveApi(io, values);
  const { origin } = values;
  if (values.area || values.issuer || values.port || values.revocation) {
    throw new CliError('--area, --issuer, --port and --revocation belong to `serve api`', EXIT.usage);
  }
  if (mode === 'auth' && origin !== undefined) {
    throw new CliError("--origin is the regional API's: `serve auth` runs none", EXIT.usage);
  }
  const origins = originsOf(origin);
  // A ConfigError becomes a usage error (exit 2) in startupError, with every other start-up failure.
  const config = loadConfig(io.env);
  return serveAuth(io, config, {
    demo: values.demo === true,
    apis: mode === undefined,
    json: values.json === true,
    origins,
  });
}
