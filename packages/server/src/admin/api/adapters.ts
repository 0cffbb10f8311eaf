// The admin API's routes whose backing is still being built elsewhere in the service. Each is one
// function here, answering 501 (problem details) until it is wired to its service; nothing pretends.
import type { Static } from '@sinclair/typebox';
import { notWired } from './problem.js';
import type * as S from './schemas.js';

/** Setting a password: wire to the password service (`cxauth admin user set-password`). */
export async function notWiredPasswordReset(): Promise<never> {
  throw notWired('setting a password');
}

/** TOTP enrollment: wire to the TOTP service (`cxauth admin user enroll-totp`). */
export async function notWiredTotpEnrollment(): Promise<never> {
  throw notWired('TOTP enrollment');
}

/** Rotating the signing key: wire to key rotation (`cxauth admin signing-key rotate`). */
export async function notWiredSigningKeyRotation(): Promise<never> {
  throw notWired('signing-key rotation');
}

/** The audit log: wire to the stored audit events. */
export async function notWiredAuditEvents(): Promise<never> {
  throw notWired('the audit log');
}

/**
 * Application types: until applications store `type`, `post_logout_redirect_uris` and `scopes`, a
 * request that needs them answers 501 rather than dropping them. What every application is today
 * (`backend`, its tenancy given by `tenantId`) passes.
 */
export function refuseUnstoredApplicationFields(
  body: Partial<Static<typeof S.CreateApplication>> & Partial<Static<typeof S.PatchApplication>>,
): void {
  if (body.type !== undefined && body.type !== 'backend') throw notWired(`applications of type ${body.type}`);
  if (body.post_logout_redirect_uris?.length) throw notWired('post_logout_redirect_uris');
  if (body.scopes !== undefined) throw notWired("an application's own scopes");
}
