// Display names for the references lists carry (`user:<id>`, `client:<id>`, `application:<id>`,
// `tenant:<id>`): the e-mail of a user, the name of an application or tenant, so a person reading the
// audit log or the sessions sees who and what rather than ids. Each distinct id is read once per
// request; a record the principal may not see keeps no name (an Administrator learns nothing of other
// tenants, nor an operator's e-mail).
import type { Storage } from '../../storage/contract/index.js';
import { type Principal, seesTenant } from './principal.js';

export interface Names {
  /** The display name of a `kind:id` reference, or null when unknown or not the principal's to see. */
  of(reference: string | null | undefined): Promise<string | null>;
  user(id: string): Promise<string | null>;
  app(clientId: string): Promise<string | null>;
}

export function namesFor(storage: Storage, principal: Principal): Names {
  const seen = new Map<string, Promise<string | null>>();
  const once = (key: string, read: () => Promise<string | null>) => {
    let found = seen.get(key);
    if (!found) {
      found = read().catch(() => null);
      seen.set(key, found);
    }
    return found;
  };
  const user = (id: string) =>
    once(`user:${id}`, async () => {
      if (id === principal.user.id) return principal.user.email;
      const u = await storage.users.get(id);
      // An operator acting in a tenant is named to its Administrators by role, not by e-mail.
      if (!u || !seesTenant(principal, u.tenantId) || (u.operator && principal.level !== 'operator')) {
        return null;
      }
      return u.email;
    });
  const app = (clientId: string) =>
    once(`app:${clientId}`, async () => {
      const a = await storage.applications.get(clientId);
      // Applications for every tenant (the console, the demo's) are named to everyone who meets them.
      if (!a || (a.tenantId !== null && !seesTenant(principal, a.tenantId))) return null;
      return a.name;
    });
  const tenant = (id: string) =>
    once(`tenant:${id}`, async () => {
      if (!seesTenant(principal, id)) return null;
      return (await storage.tenants.get(id))?.name ?? null;
    });
  return {
    user,
    app,
    async of(reference) {
      if (!reference) return null;
      const at = reference.indexOf(':');
      if (at < 0) return null;
      const kind = reference.slice(0, at);
      const id = reference.slice(at + 1);
      if (kind === 'user') return user(id);
      if (kind === 'client' || kind === 'application' || kind === 'app') return app(id);
      if (kind === 'tenant') return tenant(id);
      return null;
    },
  };
}
