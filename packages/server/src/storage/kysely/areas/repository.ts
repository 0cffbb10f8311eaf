// Area repository: the deployment areas and their endpoints.
import type { Kysely } from 'kysely';
import type { Area } from '../../../domain/types.js';
import type { AreaRepository } from '../../contract/areas.js';
import type { Database } from '../schema.js';
import { areaRow } from './table.js';

export function areaRepository(db: Kysely<Database>): AreaRepository {
  return {
    async upsert(area: Area) {
      const row = areaRow.to(area);
      const { name: _name, created_at: _created, ...changes } = row;
      await db
        .insertInto('areas')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet(changes))
        .execute();
    },
    async get(name) {
      const row = await db.selectFrom('areas').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? areaRow.from(row) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('areas').selectAll().orderBy('name').execute();
      return rows.map(areaRow.from);
    },
  };
}
