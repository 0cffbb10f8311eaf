// The first platform operator of an installation (`cxauth admin bootstrap`): a user of a tenant (one
// made for them on a database without tenants) with a password, optionally TOTP, allowed the whole
// admin API and the console. Refused once any operator exists: from then on operators make operators
// (`cxauth admin user update ID --operator`), so a leaked database URL alone cannot mint a new one
// through this path on an installation that is running (docs/admin.md, "The first operator").
import { AdminError } from '../../protocol/errors.js';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../../secrets/passwords.js';
import type { Storage } from '../../storage/contract/index.js';
import type { Admin } from './admin.js';
import { consoleUrl } from './console-app.js';
import { invalid } from './context.js';

export interface BootstrapInput {
  readonly email: string;
  readonly password: string;
  /** Enrol TOTP too and return its otpauth:// URI (shown once). */
  readonly totp?: boolean;
  /** The tenant to put the operator in; needed when the database has tenants already. */
  readonly tenantId?: string;
  /** The name of the tenant made when the database has none (default `operators`). */
  readonly tenantName?: string;
  /** The area of that tenant (default: the first area, `na1` on a fresh database). */
  readonly area?: string;
  /** The platform's shortest password, CXAUTH_PASSWORD_MIN_LENGTH (default 8). */
  readonly passwordMinLength?: number;
}

export interface BootstrapResult {
  tenantId: string;
  tenantCreated: boolean;
  userId: string;
  email: string;
  operator: true;
  console: string;
  otpauth_uri?: string;
}

/** Whether the database has a platform operator already. */
export async function hasOperator(storage: Pick<Storage, 'users'>): Promise<boolean> {
  return (await storage.users.list()).some((u) => u.operator);
}

/** Creates the first operator; AdminError `conflict` once one exists. */
export async function bootstrapOperator(
  storage: Storage,
  admin: Admin,
  issuer: string,
  input: BootstrapInput,
): Promise<BootstrapResult> {
  if (await hasOperator(storage)) {
    throw new AdminError(
      'conflict',
      'an operator exists already: bootstrap runs once. Sign in as that operator, or have one run ' +
        '`cxauth admin user update ID --operator` for another user',
    );
  }
  // Checked before anything is created, so a refused password leaves nothing behind.
  const problem = passwordProblem(input.password, input.passwordMinLength ?? MIN_PASSWORD_LENGTH);
  if (problem) throw invalid(problem);
  let tenantId = input.tenantId;
  let tenantCreated = false;
  if (tenantId === undefined) {
    if ((await storage.tenants.list()).length > 0) {
      throw invalid(
        "the database has tenants already: name the operator's tenant with --tenant ID (`cxauth admin tenant list`)",
      );
    }
    const area = input.area ?? (await storage.areas.list())[0]?.name;
    if (area === undefined)
      throw invalid('the database has no area: create one with `cxauth admin area create`');
    tenantId = (await admin.createTenant({ name: input.tenantName ?? 'operators', area })).id;
    tenantCreated = true;
  }
  const user = await admin.createUser({
    tenantId,
    email: input.email,
    role: 'Administrator',
    operator: true,
  });
  await admin.setPassword(user.id, input.password);
  const result: BootstrapResult = {
    tenantId,
    tenantCreated,
    userId: user.id,
    email: user.email,
    operator: true,
    console: consoleUrl(issuer),
  };
  if (input.totp) result.otpauth_uri = (await admin.enrollTotp(user.id)).otpauth_uri;
  return result;
}
