// What an admin caller who is not a platform operator may reach: nothing of an operator's sessions,
// access keys or sign-in factors (password, TOTP), nor the operator's role or status. An Administrator
// who could list and end an operator's sessions, give it a key or a password, could watch it or sign in
// as it and act on every tenant (docs/admin-api.md, "Roles"). A new verb acting on a user's sessions,
// keys or factors gets one line in TARGET.
import { isOperator } from '../../domain/roles.js';
import { AdminError } from '../../protocol/errors.js';
import type { Storage } from '../../storage/contract/index.js';

/** Who calls: the signed-in user, and whether it acts as a platform operator. */
export interface Caller {
  readonly userId: string;
  readonly operator: boolean;
}

type Target = (storage: Storage, args: readonly unknown[]) => Promise<string | undefined>;

const arg = (args: readonly unknown[], i = 0) => (typeof args[i] === 'string' ? args[i] : undefined);
const member = (args: readonly unknown[], name: string): string | undefined => {
  const value = (args[0] as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};
const keyOwner: Target = async (s, a) => {
  const id = arg(a);
  return id === undefined ? undefined : (await s.accessKeys.get(id))?.userId;
};
const sessionOwner: Target = async (s, a) => {
  const id = arg(a);
  return id === undefined ? undefined : (await s.sessions.get(id))?.userId;
};

/** The user each guarded verb acts on, from its arguments. */
const TARGET: Record<string, Target> = {
  updateUser: async (_s, a) => arg(a),
  setUserStatus: async (_s, a) => arg(a),
  setPassword: async (_s, a) => arg(a),
  // Only hashes and checks the tenant's policy, stores nothing; refused alike so that no verb of a
  // user's password reads an operator's record for an Administrator.
  preparePassword: async (_s, a) => arg(a),
  enrollTotp: async (_s, a) => arg(a),
  createAccessKey: async (_s, a) => member(a, 'userId'),
  listAccessKeys: async (_s, a) => member(a, 'userId'),
  showAccessKey: keyOwner,
  setAccessKeyStatus: keyOwner,
  listSessions: async (_s, a) => member(a, 'userId'),
  showSession: sessionOwner,
  endSession: sessionOwner,
};

/** Lists not narrowed to one user leave out the operators' records instead of refusing. */
const LISTS = new Set(['listAccessKeys', 'listSessions']);

export const OPERATOR_OUT_OF_REACH =
  "only platform operators may reach a platform operator's sessions, access keys, factors, role or status";

/**
 * Wraps an admin service for `caller`: a verb of TARGET aimed at a platform operator other than the
 * caller is refused (`forbidden`, 403 through the admin API), and lists drop operators' records. An
 * operator's own records stay its own; an operator caller is not wrapped at all. The operator's user
 * record itself stays visible to its tenant's Administrators (it is listed with the tenant's users).
 */
export function reaching<A extends object>(admin: A, storage: Storage, caller: Caller): A {
  if (caller.operator) return admin;
  const operators = new Map<string, Promise<boolean>>();
  const outOfReach = (userId: string): Promise<boolean> => {
    if (userId === caller.userId) return Promise.resolve(false);
    let known = operators.get(userId);
    if (!known) {
      known = storage.users.get(userId).then((u) => u !== undefined && isOperator(u));
      operators.set(userId, known);
    }
    return known;
  };
  const wrapped = { ...admin } as Record<string, unknown>;
  for (const [name, target] of Object.entries(TARGET)) {
    const method = (admin as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      const userId = await target(storage, args);
      if (userId !== undefined && (await outOfReach(userId))) {
        throw new AdminError('forbidden', OPERATOR_OUT_OF_REACH);
      }
      const result: unknown = await method.apply(admin, args);
      if (!LISTS.has(name) || userId !== undefined || !Array.isArray(result)) return result;
      const kept: unknown[] = [];
      for (const item of result as { userId: string }[])
        if (!(await outOfReach(item.userId))) kept.push(item);
      return kept;
    };
  }
  return wrapped as A;
}
