// Where the service keeps its state: the data folder and the database.
import path from 'node:path';
import { ConfigError } from './env.js';

export interface StorageConfig {
  /** The data folder (CXAUTH_DATA_DIR, default ./data): the SQLite database and the generated KEK. */
  readonly dataDir: string;
  /** CXAUTH_DATABASE_URL: `sqlite:<file>` (default `$dataDir/cxauth.db`) or `postgres://…`. */
  readonly databaseUrl: string;
}

/** Reads CXAUTH_DATA_DIR and CXAUTH_DATABASE_URL. */
export function storageConfig(env: NodeJS.ProcessEnv): StorageConfig {
  const dataDir = path.resolve(env['CXAUTH_DATA_DIR'] || './data');
  const databaseUrl = env['CXAUTH_DATABASE_URL'] || `sqlite:${path.join(dataDir, 'cxauth.db')}`;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('CXAUTH_DATABASE_URL must start with sqlite: or postgres://.');
  }
  return Object.freeze({ dataDir, databaseUrl });
}
