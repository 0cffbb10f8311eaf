// The issuer recorded in the database: the first node to start on a database records the issuer it
// serves; a later node configured with another one is told at start and in `/readyz`, since tokens of
// one issuer are refused by a node of the other (RFC 9068 §4: `iss` must match exactly).
import type { Storage } from '../../storage/contract/index.js';
import { type AdminContext, invalid } from './context.js';

/** This node's issuer against the database's: `same`, or `differs` with both named. */
export type IssuerCheck =
  | { readonly status: 'same'; readonly issuer: string }
  | { readonly status: 'differs'; readonly configured: string; readonly recorded: string };

/** Records `issuer` on a database that has none yet, and compares it with the recorded one. */
export async function checkIssuer(
  storage: Pick<Storage, 'settings'>,
  issuer: string,
  now: Date = new Date(),
): Promise<IssuerCheck> {
  const recorded = await storage.settings.claim('issuer', issuer, now);
  return recorded === issuer
    ? { status: 'same', issuer }
    : { status: 'differs', configured: issuer, recorded };
}

/** The start-up warning for an issuer that differs: both issuers and what to set. */
export function issuerWarning(check: Extract<IssuerCheck, { status: 'differs' }>): string {
  return (
    `this node's issuer ${check.configured} differs from the issuer recorded in the database, ` +
    `${check.recorded} (that of the first node started on it): each refuses the other's tokens and ` +
    `sends sign-ins to its own URL. Set one CXAUTH_ISSUER for every node sharing the database ` +
    `(docs/operations.md, "Running several nodes"); if the issuer moved for good, record it with ` +
    `\`cxauth admin issuer record\`.`
  );
}

/** The recorded issuer against this configuration's, and recording this one (`cxauth admin issuer`). */
export function issuerAdmin(ctx: AdminContext, configured: string | undefined) {
  const need = (): string => {
    if (!configured) throw invalid('the issuer verbs need the configured issuer (CXAUTH_ISSUER)');
    return configured;
  };
  return {
    async showIssuer(): Promise<{ configured: string; recorded: string | null; status: 'same' | 'differs' }> {
      const issuer = need();
      const recorded = (await ctx.storage.settings.get('issuer')) ?? null;
      return {
        configured: issuer,
        recorded,
        status: recorded === null || recorded === issuer ? 'same' : 'differs',
      };
    },
    /** Records this configuration's issuer as the database's: every node must then use it. */
    async recordIssuer(): Promise<{ recorded: string; previous: string | null }> {
      const issuer = need();
      const previous = (await ctx.storage.settings.get('issuer')) ?? null;
      await ctx.storage.settings.set('issuer', issuer, ctx.clock());
      return { recorded: issuer, previous };
    },
  };
}
