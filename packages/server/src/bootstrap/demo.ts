// Demo seeding for `cxauth serve --demo`, run at start-up beside `serve` (it writes files and composes
// the admin service, so it sits above the services, not among them): gives a database without it the demo area `na1`, and on an
// empty database creates a tenant, user, application and access key whose credentials are written once
// to `$dataDir/demo-credentials.json` (mode 0600) and reused on later starts. A node joining a database
// another node seeded serves it: the credentials are in that node's data folder (secrets are stored
// only hashed, so they cannot be written again here).
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Admin } from '../admin/service/admin.js';
import { randomBusinessUnitId } from '../admin/service/tenants.js';
import { ConfigError, type ServerConfig } from '../config/config.js';
import { DEVICE_CODE } from '../domain/app-types.js';
import type { Area } from '../domain/types.js';
import { ensurePrivateDir, tightenPrivateFile } from '../files/private-files.js';
import { DEFAULT_APP_SCOPES } from '../protocol/scope.js';
import { hashPassword } from '../secrets/passwords.js';
import type { Storage } from '../storage/contract/index.js';

/** The demo credentials file: exactly these fields (docs/design.md "The demo"). */
export interface DemoCredentials {
  issuer: string;
  client_id: string;
  client_secret: string;
  accessKeyId: string;
  accessKeySecret: string;
  tenantId: string;
  /** The demo user's e-mail and password, for the hosted sign-in page (docs/sign-in.md). */
  username: string;
  password: string;
  /** A public application with a loopback redirect URI (any port, RFC 8252 §7.3), for the code flow. */
  public_client_id: string;
}

/**
 * What {@link seedDemo} did: `created` fresh credentials, `reused` those of an earlier start, or found the
 * database `seeded-elsewhere` (by a node whose data folder holds the credentials; `credentials` absent).
 * `file` is this node's credentials file.
 */
export type DemoSeed =
  | {
      readonly outcome: 'created' | 'reused';
      readonly created: boolean;
      readonly credentials: DemoCredentials;
      readonly file: string;
    }
  | {
      readonly outcome: 'seeded-elsewhere';
      readonly created: false;
      readonly credentials?: undefined;
      readonly file: string;
    };
/** The public demo application's redirect URIs (loopback: any port is accepted). */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1/callback';
export const DEMO_POST_LOGOUT_URI = 'http://127.0.0.1/signed-out';

export const DEMO_AREA = 'na1';
export const DEMO_CREDENTIALS_FILE = 'demo-credentials.json';

/**
 * Creates the area when the database has none of that name; an existing one is left as it is (an
 * operator's change, or the endpoints of the node that made it, must survive another node's start).
 * Two processes racing here write the same row (an upsert of the same values).
 */
export async function ensureArea(
  storage: Storage,
  area: Omit<Area, 'createdAt'>,
  now: Date = new Date(),
): Promise<Area> {
  const existing = await storage.areas.get(area.name);
  if (existing) return existing;
  const next: Area = { ...area, createdAt: now };
  await storage.areas.upsert(next);
  return next;
}

/** The demo area: API on 127.0.0.1:$CXAUTH_API_PORT, UI and auth at the issuer, domains `localhost`. */
export function demoArea(config: Pick<ServerConfig, 'apiPort' | 'issuer'>): Omit<Area, 'createdAt'> {
  return {
    name: DEMO_AREA,
    domain: 'localhost',
    acdDomain: 'localhost',
    uhDomain: 'localhost',
    uiEndpoint: config.issuer,
    authEndpoint: config.issuer,
    apiEndpoint: `http://127.0.0.1:${config.apiPort}`,
  };
}

/**
 * Gives a database that has no area yet the default area `na1`, with the demo's endpoints (API on
 * 127.0.0.1:$CXAUTH_API_PORT), so that `cxauth admin tenant create --area na1` and `cxauth serve`
 * work on a fresh data folder. A database that has any area is left as its operators made it.
 * Two processes racing here write the same row (an upsert), so no lock is needed.
 */
export async function ensureDefaultArea(
  storage: Storage,
  config: Pick<ServerConfig, 'apiPort' | 'issuer'>,
  now: Date = new Date(),
): Promise<Area | undefined> {
  if ((await storage.areas.list()).length > 0) return undefined;
  return ensureArea(storage, demoArea(config), now);
}

/** Writes a file readable by its owner only, atomically (temp file, then rename). */
async function writePrivate(file: string, content: string): Promise<void> {
  ensurePrivateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}

function parseCredentials(text: string, file: string): DemoCredentials {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ConfigError(`${file} is not valid JSON; delete the data folder to start a fresh demo.`);
  }
  const fields = [
    'issuer',
    'client_id',
    'client_secret',
    'accessKeyId',
    'accessKeySecret',
    'tenantId',
    'username',
    'password',
    'public_client_id',
  ] as const;
  for (const field of fields) {
    if (typeof data[field] !== 'string') {
      throw new ConfigError(`${file} lacks "${field}"; delete the data folder to start a fresh demo.`);
    }
  }
  return {
    issuer: data['issuer'] as string,
    client_id: data['client_id'] as string,
    client_secret: data['client_secret'] as string,
    accessKeyId: data['accessKeyId'] as string,
    accessKeySecret: data['accessKeySecret'] as string,
    tenantId: data['tenantId'] as string,
    username: data['username'] as string,
    password: data['password'] as string,
    public_client_id: data['public_client_id'] as string,
  };
}

function serialize(c: DemoCredentials): string {
  const ordered: DemoCredentials = {
    issuer: c.issuer,
    client_id: c.client_id,
    client_secret: c.client_secret,
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    tenantId: c.tenantId,
    username: c.username,
    password: c.password,
    public_client_id: c.public_client_id,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Seeds the demo: `created` with fresh credentials on an empty database, else `reused`: the credentials
 * of an earlier start (their `issuer` follows the current configuration), or `seeded-elsewhere` when the
 * database has tenants and this node has no credentials file (another node seeded it: a shared
 * PostgreSQL, or a copied SQLite file). Throws ConfigError when the file is malformed or names records
 * the database does not have.
 */
export async function seedDemo(
  storage: Storage,
  admin: Admin,
  config: Pick<ServerConfig, 'apiPort' | 'issuer' | 'dataDir'>,
): Promise<DemoSeed> {
  // Only when missing: a second node's start must not repoint an area the first one serves.
  await ensureArea(storage, demoArea(config));
  const file = path.join(config.dataDir, DEMO_CREDENTIALS_FILE);

  if ((await storage.tenants.list()).length > 0) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return { outcome: 'seeded-elsewhere', created: false, file };
    }
    tightenPrivateFile(file);
    const stored = parseCredentials(text, file);
    const app = await storage.applications.get(stored.client_id);
    const key = await storage.accessKeys.get(stored.accessKeyId);
    if (!app || !key || key.tenantId !== stored.tenantId) {
      throw new ConfigError(
        `${file} does not match the database: delete the data folder (${config.dataDir}) for a fresh demo.`,
      );
    }
    // The records are left as they are: an operator may have narrowed the demo app's scopes or taken
    // the demo user's operator flag away, and a restart must not give them back.
    const credentials = { ...stored, issuer: config.issuer };
    if (stored.issuer !== config.issuer) await writePrivate(file, serialize(credentials));
    return { outcome: 'reused', created: false, credentials, file };
  }

  const tenant = await admin.createTenant({
    name: 'demo',
    area: DEMO_AREA,
    cluster: 'B32',
    clusterId: 'DO31',
    businessUnitId: randomBusinessUnitId(),
  });
  const user = await admin.createUser({
    tenantId: tenant.id,
    email: 'demo.admin@example.com',
    givenName: 'Demo',
    familyName: 'Admin',
    role: 'Administrator',
    // The demo's user runs the whole platform through the admin API (docs/admin-api.md, "Roles").
    operator: true,
  });
  // A backend for every tenant, allowed the admin scope (the admin API's).
  const app = await admin.createApplication({
    name: 'cxauth demo',
    type: 'backend',
    origins: ['http://localhost:3000'],
    scopes: [...DEFAULT_APP_SCOPES, 'admin'],
    firstParty: true,
  });
  const key = await admin.createAccessKey({ userId: user.id });
  const password = crypto.randomBytes(18).toString('base64url');
  await storage.signIn.setPassword(user.id, await hashPassword(password), new Date());
  const signInApp = await admin.createApplication({
    name: 'cxauth demo sign-in',
    type: 'public',
    redirectUris: [DEMO_REDIRECT_URI],
    postLogoutRedirectUris: [DEMO_POST_LOGOUT_URI],
    // So `cxauth login --scope "openid admin"` gives the demo operator a token for `cxauth admin --profile`.
    scopes: [...DEFAULT_APP_SCOPES, 'admin'],
    // The platform's own: its loopback redirect is for `cxauth login` on the operator's machine.
    firstParty: true,
    // `cxauth login --device` (RFC 8628) where no browser runs beside the CLI.
    grantTypes: ['authorization_code', 'refresh_token', DEVICE_CODE],
  });
  const credentials: DemoCredentials = {
    issuer: config.issuer,
    client_id: app.client_id,
    client_secret: app.client_secret,
    accessKeyId: key.accessKeyId,
    accessKeySecret: key.accessKeySecret,
    tenantId: tenant.id,
    username: user.email,
    password,
    public_client_id: signInApp.client_id,
  };
  await writePrivate(file, serialize(credentials));
  return { outcome: 'created', created: true, credentials, file };
}
