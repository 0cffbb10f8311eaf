// The one way tests start the global auth service in-process: a fresh database (SQLite file or
// throwaway PostgreSQL), a random KEK, a signing key, an injectable clock, optionally a real socket on a
// free port, and either fixtures (area, tenant, user, access key, application) or the demo seed.
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { freePort } from '../../../../test/support/ports.js';
import { loadConfig, type ServerConfig } from '../../src/config/config.js';
import type { AccessKey, Application, Area, Tenant, User } from '../../src/domain/types.js';
import { createAdmin, type DemoCredentials, seedDemo } from '../../src/index.js';
import { ensureActiveSigningKey, type LoadedKeys, loadSigningKeys } from '../../src/keys/signing-keys.js';
import type { LoggerOption } from '../../src/observability/logger.js';
import type { ServiceMetrics } from '../../src/observability/metrics.js';
import {
  generateAccessKeyPart,
  generateClientSecret,
  SecretHasher,
} from '../../src/secrets/random-secrets.js';
import { createServer } from '../../src/server.js';
import type { Storage } from '../../src/storage/contract/index.js';
import { openStorage } from '../../src/storage/open.js';
import { type TestDatabase, tempPostgres, tempSqlite } from './storage-db.js';
import * as make from './storage-factories.js';

export const TEST_ISSUER = 'https://auth.cxauth.test';

/** A clock tests move by hand; nothing sleeps. */
export class TestClock {
  current: Date;
  constructor(start: Date = new Date()) {
    this.current = new Date(Math.floor(start.getTime() / 1000) * 1000);
  }
  readonly now = (): Date => this.current;
  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
  get epoch(): number {
    return Math.floor(this.current.getTime() / 1000);
  }
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export interface Fixture extends Credentials {
  area: Area;
  tenant: Tenant;
  user: User;
  app: Application;
  key: AccessKey;
}

export interface TestService {
  app: FastifyInstance;
  /** Where requests go: the issuer; with `listen`, http://127.0.0.1:<port> served on a real socket. */
  url: string;
  storage: Storage;
  config: ServerConfig;
  hasher: SecretHasher;
  keys: LoadedKeys;
  kek: Buffer;
  clock: TestClock;
  /** A complete, active set of records with its plain secrets. */
  fixture: Fixture;
  addApplication(
    o?: Partial<Application>,
  ): Promise<{ app: Application; clientId: string; clientSecret: string }>;
  addAccessKey(user: User, o?: Partial<AccessKey>): Promise<{ key: AccessKey; id: string; secret: string }>;
  addUser(tenant: Tenant, o?: Partial<User>): Promise<User>;
  addTenant(o?: Partial<Tenant>): Promise<Tenant>;
  /**
   * Another node on the same database, with its own storage and caches (or `wrapStorage` of them), its
   * own logger or key reload when given; closed by `close()`, or earlier by the caller.
   */
  secondNode(options?: NodeOptions): Promise<{ app: FastifyInstance; storage: Storage }>;
  close(): Promise<void>;
}

/** The service with the demo seed (what `cxauth serve --demo` makes), listening on a free port. */
export interface DemoService {
  app: FastifyInstance;
  url: string;
  storage: Storage;
  config: ServerConfig;
  /** The data folder, holding demo-credentials.json (as `cxauth serve --demo` writes it). */
  dataDir: string;
  creds: DemoCredentials;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  dialect?: 'sqlite' | 'postgres';
  issuer?: string;
  logger?: LoggerOption;
  env?: NodeJS.ProcessEnv;
  /** Overrides of the first tenant and application. */
  tenant?: Partial<Tenant>;
  application?: Partial<Application>;
  /** The URL the service's storage opens instead of the test database's (e.g. through a TCP proxy). */
  databaseUrl?: (url: string) => string;
  metrics?: ServiceMetrics;
  /** Wraps the storage the server is given (e.g. one repository that fails); fixtures use the real one. */
  wrapStorage?: (storage: Storage) => Storage;
  /** The algorithm of the first signing key. Default RS256. */
  signingAlg?: 'RS256' | 'ES256' | 'EdDSA';
  /** Overrides of the loaded configuration (loadConfig's second argument), e.g. short times. */
  config?: Partial<ServerConfig>;
  /** The server's clock instead of the returned TestClock (e.g. real time plus a shift). */
  now?: () => Date;
  /** Listen on a free port of 127.0.0.1, the issuer naming it (unless `issuer` is given). */
  listen?: boolean;
  /** With `listen`: the issuer names the port as http://localhost:<port> (an RP ID for passkeys). */
  localhost?: boolean;
  /** With `listen`: the host the issuer names instead (b.localhost: another RP ID on loopback). */
  hostname?: string;
  /** Give the server the KEK, so that it reads (and rotates when due) its keys from storage each reload. */
  reloadFromStorage?: boolean;
  /** Run the first node's webhook delivery worker (default true). */
  webhooks?: boolean;
}

/** What a second node may have of its own (TestService.secondNode). */
export interface NodeOptions {
  logger?: LoggerOption;
  /** Wraps the node's own storage (e.g. one repository that fails). */
  wrapStorage?: (storage: Storage) => Storage;
  /** How the node reads its signing keys again every reload interval. */
  reloadKeys?: () => Promise<LoadedKeys>;
}

export type DemoServiceOptions = Omit<TestServiceOptions, 'tenant' | 'application' | 'listen'>;

interface Booted {
  db: TestDatabase;
  config: ServerConfig;
  storage: Storage;
  kek: Buffer;
  clock: TestClock;
  keys: LoadedKeys;
  hasher: SecretHasher;
  port: number | undefined;
}

/** A migrated database, a KEK, a signing key and the configuration naming them; no server yet. */
async function boot(options: TestServiceOptions, dataDir?: string): Promise<Booted> {
  const port = options.listen ? await freePort() : undefined;
  const db: TestDatabase = options.dialect === 'postgres' ? await tempPostgres() : tempSqlite();
  const kek = crypto.randomBytes(32);
  const config = loadConfig(
    {
      CXAUTH_DATA_DIR: dataDir ?? '/nonexistent-cxauth-test',
      CXAUTH_DATABASE_URL: options.databaseUrl?.(db.url) ?? db.url,
      CXAUTH_ISSUER:
        options.issuer ??
        (port
          ? `http://${options.hostname ?? (options.localhost ? 'localhost' : '127.0.0.1')}:${port}`
          : TEST_ISSUER),
      ...(port ? { CXAUTH_PORT: String(port) } : {}),
      ...options.env,
    },
    {
      ...options.config,
      kek,
    },
  );
  const storage = await openStorage(config.databaseUrl, config.databaseTimeouts);
  await storage.migrate();
  const clock = new TestClock();
  await ensureActiveSigningKey(storage, kek, clock.now(), options.signingAlg);
  const keys = await loadSigningKeys(storage, kek);
  return { db, config, storage, kek, clock, keys, hasher: new SecretHasher(kek), port };
}

/** The server over a booted database, ready, and listening when a port was picked. */
async function launch(b: Booted, options: TestServiceOptions): Promise<FastifyInstance> {
  const app = await createServer({
    config: b.config,
    storage: options.wrapStorage?.(b.storage) ?? b.storage,
    hasher: b.hasher,
    keys: b.keys,
    clock: options.now ?? b.clock.now,
    logger: options.logger ?? false,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.reloadFromStorage ? { kek: b.kek } : {}),
    ...(options.webhooks === false ? { webhooks: false } : {}),
  });
  if (b.port) await app.listen({ host: '127.0.0.1', port: b.port });
  else await app.ready();
  return app;
}

/** The demo seed on a fresh database, served on a free port of 127.0.0.1. */
export async function startDemoService(options: DemoServiceOptions = {}): Promise<DemoService> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cxauth-test-demo-'));
  const b = await boot({ ...options, listen: true }, dataDir);
  const seed = await seedDemo(b.storage, createAdmin(b.storage, b.hasher), b.config);
  // Real time unless told otherwise: the demo is used by clients that check times themselves.
  const app = await launch(b, { ...options, now: options.now ?? (() => new Date()) });
  return {
    app,
    url: b.config.issuer,
    storage: b.storage,
    config: b.config,
    dataDir,
    creds: seed.credentials as DemoCredentials,
    async close() {
      await app.close();
      await b.storage.close();
      await b.db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const booted = await boot(options);
  const { db, config, storage, kek, clock, keys, hasher } = booted;

  const addApplication = async (o: Partial<Application> = {}) => {
    const clientSecret = generateClientSecret();
    const app = make.application({ secretHash: hasher.hash(clientSecret), ...o });
    await storage.applications.create(app);
    return { app, clientId: app.clientId, clientSecret };
  };
  const addAccessKey = async (user: User, o: Partial<AccessKey> = {}) => {
    const id = generateAccessKeyPart();
    const secret = generateAccessKeyPart();
    const key = make.accessKey(user, { id, secretHash: hasher.hash(secret), ...o });
    await storage.accessKeys.create(key);
    return { key, id, secret };
  };
  const addUser = async (tenant: Tenant, o: Partial<User> = {}) => {
    const user = make.user(tenant.id, o);
    await storage.users.create(user);
    return user;
  };

  const addTenant = async (o: Partial<Tenant> = {}) => {
    const tenant = make.tenant(o);
    await storage.tenants.create(tenant);
    return tenant;
  };

  const area = make.area({
    apiEndpoint: 'https://api-na1.cxauth.test',
    uiEndpoint: 'https://na1.cxauth.test',
  });
  await storage.areas.upsert(area);
  const tenant = await addTenant(options.tenant);
  const user = await addUser(tenant, { email: 'user1@example.com', givenName: 'first', familyName: 'last' });
  const application = await addApplication(options.application);
  const key = await addAccessKey(user);

  const app = await launch(booted, options);
  const nodes: { app: FastifyInstance; storage: Storage }[] = [];
  const secondNode = async (o: NodeOptions = {}) => {
    const node = await openStorage(config.databaseUrl, config.databaseTimeouts);
    const other = await createServer({
      config,
      storage: o.wrapStorage?.(node) ?? node,
      hasher,
      keys,
      clock: options.now ?? clock.now,
      logger: o.logger ?? false,
      ...(o.reloadKeys ? { reloadKeys: o.reloadKeys } : {}),
    });
    await other.ready();
    nodes.push({ app: other, storage: node });
    return { app: other, storage: node };
  };
  return {
    app,
    url: config.issuer,
    storage,
    config,
    hasher,
    keys,
    kek,
    clock,
    fixture: {
      area,
      tenant,
      user,
      app: application.app,
      key: key.key,
      clientId: application.clientId,
      clientSecret: application.clientSecret,
      accessKeyId: key.id,
      accessKeySecret: key.secret,
    },
    addApplication,
    addAccessKey,
    addUser,
    addTenant,
    secondNode,
    async close() {
      for (const node of nodes) {
        await node.app.close();
        await node.storage.close();
      }
      await app.close();
      await storage.close();
      await db.drop();
    },
  };
}
