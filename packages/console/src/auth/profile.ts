// The signed-in person as the admin API knows them (`GET /admin/v1/users/{id}`, which everyone may read
// of themselves): their e-mail for the header, and what they may do, which decides the pages shown.
// The API still decides every request; this only hides what would be refused anyway.
import { api, ok } from '../api/client.js';
import { me, selfOnly } from './session.js';

/** `operator`: everything; `administrator`: its own tenant; `self`: own access keys and sessions. */
export type Level = 'operator' | 'administrator' | 'self';

export interface Profile {
  readonly userId: string;
  readonly tenantId: string;
  readonly email: string;
  readonly level: Level;
}

let current: Profile | undefined;

/** Reads the signed-in user's record once per sign-in. */
export async function loadProfile(): Promise<Profile> {
  const who = me();
  if (!who) throw new Error('not signed in');
  if (current?.userId === who.userId) return current;
  const user = ok(await api.GET('/admin/v1/users/{id}', { params: { path: { id: who.userId } } }));
  const level: Level = selfOnly()
    ? 'self'
    : user.operator
      ? 'operator'
      : user.role.legacyId === 'Administrator'
        ? 'administrator'
        : 'self';
  current = { userId: user.id, tenantId: user.tenantId, email: user.email, level };
  return current;
}

/** The profile loaded for this sign-in (the frame renders pages only once it is there). */
export function profile(): Profile {
  if (!current) throw new Error('the profile is not loaded yet');
  return current;
}
