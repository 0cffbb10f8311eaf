// What a migration is written against: the database as it was at that migration, not today's schema.
// Its own module, so each migration file imports this and never the list (index.ts) that imports it.
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not as it is.
export type AnyDb = Kysely<any>;
