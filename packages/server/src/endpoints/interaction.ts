// What every endpoint of the sign-in pages gives its interaction (interaction/outcome.ts
// InteractionDeps): the sign-in services, storage, keys, the audit trail, and the e-mail verification
// gate (docs/people.md), with the path its forms post to.
import { ROUTE } from '../http/routes.js';
import { type EmailVerificationDeps, emailVerificationGate } from '../interaction/email-verification.js';
import type { EmailVerificationGate, InteractionDeps } from '../interaction/outcome.js';
import type { Services } from '../services/index.js';

export type InteractionServices = Pick<
  Services,
  'config' | 'kek' | 'storage' | 'hasher' | 'signIn' | 'throttle' | 'audit' | 'mailer' | 'clock'
>;

export function verificationDeps(services: InteractionServices): EmailVerificationDeps {
  return {
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    sealer: services.signIn.sealer,
    cookies: services.signIn.cookies,
    sessions: services.signIn.sessions,
    throttle: services.throttle,
    audit: services.audit,
    mailer: services.mailer,
    clock: services.clock,
    resendPath: ROUTE['email-verification'].path,
    confirmPath: ROUTE['email-verification-confirm'].path,
  };
}

/** The gate of the sign-in endpoints' interactions; none without mail (then no code either). */
export function emailVerificationOf(services: InteractionServices): EmailVerificationGate | undefined {
  return services.mailer ? emailVerificationGate(verificationDeps(services)) : undefined;
}

export function interactionDeps(services: InteractionServices, action: string): InteractionDeps {
  return {
    ...services.signIn,
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    kek: services.kek,
    action,
    audit: services.audit,
    emailVerification: emailVerificationOf(services),
  };
}
