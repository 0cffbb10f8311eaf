// The services of one global service, built once by the composition root (server.ts) and handed to
// every endpoint: each takes the part it reads. Every service is built through a default parameter,
// so tests pass another storage, clock, hasher, key set or audit trail through the same parameters.

import type { ServerConfig } from '../config/config.js';
import type { Logger } from '../domain/logger.js';
import { oidcUpstreams } from '../federation/oidc.js';
import { createFederation, type Federation } from '../federation/service.js';
import { type CookieJar, cookieJar } from '../interaction/cookies.js';
import { createDeviceCookies, type DeviceCookies } from '../interaction/device-cookie.js';
import { createSealer, type Sealer } from '../interaction/seal.js';
import { type SignInSessions, signInSessions } from '../interaction/session.js';
import { KeyRing } from '../keys/key-ring.js';
import { type LoadedKeys, loadSigningKeys } from '../keys/signing-keys.js';
import { type KeyTiming, keyTiming } from '../keys/states.js';
import { createMailer, type Mailer } from '../mail/outbox.js';
import { type Audit, createAudit } from '../observability/audit.js';
import type { ServiceMetrics } from '../observability/metrics.js';
import { adminResource } from '../protocol/resource.js';
import type { Hasher } from '../secrets/hasher.js';
import { SecretHasher } from '../secrets/random-secrets.js';
import type { Storage } from '../storage/contract/index.js';
import { createLookups, type Lookups } from '../storage/lookups.js';
import { type SignInThrottle, sharedSignInThrottle } from '../throttling/sign-in.js';
import { createThrottle, type Throttle } from '../throttling/throttle.js';
import { DpopProofs } from '../tokens/dpop.js';
import { TokenIssuer } from '../tokens/issuer.js';

export interface Services {
  readonly config: ServerConfig;
  /**
   * The key-encryption key (the parameter, else CXAUTH_KEK): seals private keys and TOTP secrets;
   * undefined on a node given its keys and hasher, which then checks no second factor.
   */
  readonly kek: Buffer | undefined;
  readonly storage: Storage;
  /** The time: one source for every service. */
  readonly clock: () => Date;
  /** Keyed hashes of random secrets (client secrets, access-key secrets, refresh tokens). */
  readonly hasher: Hasher;
  /** The revision-checked cache of applications, access keys, tenants and CORS origins. */
  readonly lookups: Lookups;
  readonly audit: Audit;
  /** The throttle of every credential check. */
  readonly throttle: Throttle;
  /** The signing keys and the verifiers of this issuer's own tokens. */
  readonly ring: KeyRing;
  readonly tokens: TokenIssuer;
  /** DPoP proofs at the token endpoint: checked, replay-checked across nodes, nonces (RFC 9449). */
  readonly dpop: DpopProofs;
  /** The access token audiences (RFC 8707): the admin API's, and the regional APIs' shared one. */
  readonly resources: { readonly admin: string; readonly shared: string };
  readonly timing: KeyTiming;
  /** What the browser-facing pages share: sign-in, consent and logout. */
  readonly signIn: SignInServices;
  /** The mail outbox (docs/people.md); undefined without a KEK, which seals every mail. */
  readonly mailer: Mailer | undefined;
}

/** The services of the pages people sign in and out with (interaction/). */
export interface SignInServices {
  /** Seals each page's form for its purpose, and makes and checks CSRF tokens. */
  readonly sealer: Sealer;
  readonly cookies: CookieJar;
  readonly sessions: SignInSessions;
  /** Throttling of the sign-in form (passwords and second factors; device cookies exempt). */
  readonly throttle: SignInThrottle;
  readonly devices: DeviceCookies;
  /** Enterprise sign-in through the tenants' identity providers (docs/sso.md). */
  readonly federation: Federation;
}

export interface ServiceParameters {
  readonly config: ServerConfig;
  readonly storage: Storage;
  /** Where services report (the service logger). */
  readonly log: Logger;
  /** The key-encryption key: builds `hasher` and loads `keys` when those are not given. */
  readonly kek?: Buffer | undefined;
  readonly clock?: (() => Date) | undefined;
  readonly hasher?: Hasher | undefined;
  readonly keys?: LoadedKeys | undefined;
  readonly audit?: Audit | undefined;
  readonly metrics?: ServiceMetrics | undefined;
  /** Throttling of the sign-in form (default: the shared throttle of every credential check). */
  readonly signInThrottle?: SignInThrottle | undefined;
}

/** Builds the services; what is not passed gets its default. */
export async function createServices({
  config,
  storage,
  log,
  kek,
  clock = () => new Date(),
  hasher = kek && new SecretHasher(kek),
  keys,
  metrics,
  signInThrottle,
  audit = createAudit({
    store: storage.auditEvents,
    atomically: storage.atomically,
    log: (line, message) => log.info(line, message),
    onError: (err) => log.error({ err }, 'could not store audit events'),
    clock,
  }),
}: ServiceParameters): Promise<Services> {
  const timing = keyTiming({ ...config.tokens, ...config });
  const loaded = keys ?? (kek ? await loadSigningKeys(storage, kek, clock(), timing) : undefined);
  if (!hasher || !loaded) throw new Error('createServer needs `kek`, or both `hasher` and `keys`');
  const resources = { admin: adminResource(config.issuer), shared: config.tokens.audience };
  const ring = new KeyRing(loaded, {
    issuer: config.issuer,
    audience: resources.shared,
    adminAudience: resources.admin,
    clockTolerance: config.tokens.clockTolerance,
    clock: () => clock().getTime(),
  });
  const throttle = createThrottle(storage.throttle, config.throttling, {
    clock,
    onThrottled: metrics?.throttled,
    audit,
  });
  const sealingKek = kek ?? config.kek;
  const cookies = cookieJar(config.issuer);
  return {
    config,
    kek: sealingKek,
    storage,
    clock,
    hasher,
    lookups: createLookups(storage, {
      onOriginsError: (err) => log.warn({ err }, 'could not read CORS origins'),
    }),
    audit,
    throttle,
    ring,
    tokens: new TokenIssuer({
      signer: ring,
      issuer: config.issuer,
      resources,
      accessTokenTtl: config.tokens.accessTokenTtl,
    }),
    dpop: new DpopProofs({
      config: config.dpop,
      tolerance: config.tokens.clockTolerance,
      store: storage.dpopProofs,
      hasher,
    }),
    resources,
    timing,
    signIn: {
      sealer: createSealer(sealingKek),
      cookies,
      sessions: signInSessions({ storage, hasher, cookies, ttl: config.signIn.signInSessionTtl }),
      throttle: signInThrottle ?? sharedSignInThrottle(throttle),
      devices: createDeviceCookies(sealingKek),
      federation: createFederation({
        storage,
        hasher,
        kek: sealingKek,
        audit,
        throttle,
        issuer: config.issuer,
        oidc: oidcUpstreams(),
        ttl: config.signIn.interactionTtl,
      }),
    },
    mailer: sealingKek && createMailer({ storage, kek: sealingKek, clock }),
  };
}
