// Settings repository: an insert that keeps the first value (ON CONFLICT DO NOTHING), then a read;
// and an upsert for an operator who replaces it.
import type { Kysely } from 'kysely';
import type { SettingName, SettingsRepository } from '../../contract/settings.js';
import type { Database } from '../schema.js';

export function settingsRepository(db: Kysely<Database>): SettingsRepository {
  async function get(name: SettingName): Promise<string | undefined> {
    const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }
  return {
    get,
    async claim(name, value, now) {
      await db
        .insertInto('settings')
        .values({ name, value, created_at: now.getTime() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      return (await get(name)) ?? value;
    },
    async set(name, value, now) {
      await db
        .insertInto('settings')
        .values({ name, value, created_at: now.getTime() })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value, created_at: now.getTime() }))
        .execute();
    },
  };
}
