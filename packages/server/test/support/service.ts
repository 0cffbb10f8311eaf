// A global service for tests: a fresh database (SQLite file or throwaway PostgreSQL), a random KEK, a
// signing key, an injectable clock, and fixtures (area, tenant, user, access key, application).
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type ServerConfig } from '../../src/config/config.js';
import type { AccessKey, Application, Area, Tenant, User } from '../../src/domain/types.js';
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
}

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const db: TestDatabase = options.dialect === 'postgres' ? await tempPostgres() : tempSqlite();
  const kek = crypto.randomBytes(32);
  const config = loadConfig(
    {
      CXAUTH_DATA_DIR: '/nonexistent-cxauth-test',
      CXAUTH_DATABASE_URL: options.databaseUrl?.(db.url) ?? db.url,
      CXAUTH_ISSUER: options.issuer ?? TEST_ISSUER,
      ...options.env,
    },
    { kek },
  );
  const storage = await openStorage(config.databaseUrl, config.databaseTimeouts);
  await storage.migrate();
  const clock = new TestClock();
  await ensureActiveSigningKey(storage, kek, clock.now(), options.signingAlg);
  const keys = await loadSigningKeys(storage, kek);
  const hasher = new SecretHasher(kek);

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

  const app = await createServer({
    config,
    storage: options.wrapStorage?.(storage) ?? storage,
    hasher,
    keys,
    clock: clock.now,
    logger: options.logger ?? false,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  await app.ready();
  return {
    app,
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
    async close() {
      await app.close();
      await storage.close();
      await db.drop();
    },
  };
}
