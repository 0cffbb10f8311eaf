// What is measured and against what: groups of measurements run interleaved round by round, and the ratios.
import { basicAuth, FORM, SERVER_TIME } from './cxauth.js';
import { dpopServerTime } from './dpop.js';
import { federationGroup } from './federation.js';
import { ceiling, cxauthTarget, http, jsonGet, passwordGrant, refreshGrant } from './measurements.js';
import { algGroup, growGroup } from './scale.js';
import { scimGroup } from './scim.js';
import { authorizeSso, codeGrant, passwordHashCost } from './sign-in.js';
import { importGroup } from './user-import.js';

/** GET server-time with a bearer token on the regional API `target` ({pid, api}). */
function verifiedServerTime(id, label, target, accessToken) {
  return http({
    id,
    label,
    server: { pid: target.pid, url: target.api },
    request: { method: 'GET', path: SERVER_TIME, headers: { authorization: `Bearer ${accessToken}` } },
    expect: (b) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(b?.ServerTime),
  });
}

/** The group names `--only` accepts, in the order they run. */
export const GROUPS = [
  'token',
  'api',
  'discovery',
  'peer',
  'postgres',
  'compare',
  'alg',
  'grow',
  'grow-postgres',
  'scim',
  'import',
  'webhooks',
  'federation',
];

/**
 * The measurements and comparisons of one group, given the started targets (`cx`, `bare`, `peer`, `pg`,
 * `accessToken`, `scope1`; any may be missing, with the reason in `t.why[key]`, when it could not start).
 */
export function buildGroup(name, t) {
  const needs = needsOf(t);
  switch (name) {
    case 'token':
      return grantGroup(t, 'cx', 'Token grants vs the RS256 signing ceiling (SQLite)', undefined, true);
    case 'webhooks':
      return {
        title: 'Password grants beside a hanging webhook receiver (SQLite)',
        measurements: [
          needs(['cx'], 'password-no-webhooks', 'password grant, no webhook subscription', (id, label) =>
            passwordGrant(id, label, t.cx),
          ),
          needs(
            ['cxHooked'],
            'password-hanging-webhooks',
            'password grant, every delivery slot hanging on a receiver that never answers',
            (id, label) => passwordGrant(id, label, t.cxHooked),
          ),
        ],
        comparisons: [
          {
            subject: 'password-hanging-webhooks',
            baseline: 'password-no-webhooks',
            target: 0.95,
            label: 'password grants, hanging webhook receiver / none',
          },
        ],
      };
    case 'api': {
      return {
        title: 'Regional API server-time: bearer and DPoP verification vs no authentication',
        measurements: [
          needs(['bare'], 'bare-server-time', 'server-time, bare Fastify route, no auth', (id, label) =>
            jsonGet(id, label, t.bare, SERVER_TIME, (b) => b?.ServerTime),
          ),
          needs(
            ['cx', 'accessToken'],
            'server-time',
            'server-time on the regional API, Bearer verified',
            (id, label) =>
              http({
                id,
                label,
                server: { pid: t.cx.pid, url: t.cx.api },
                request: {
                  method: 'GET',
                  path: SERVER_TIME,
                  headers: { authorization: `Bearer ${t.accessToken}` },
                },
                expect: (b) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/.test(b?.ServerTime),
              }),
          ),
          needs(
            ['cx', 'dpop'],
            'server-time-dpop',
            'server-time on the regional API, DPoP verified (ES256 proof, new jti each request)',
            (id, label) => dpopServerTime(id, label, t.cx, t.dpop),
          ),
          needs(
            ['cx', 'dpopRs256'],
            'server-time-dpop-rs256',
            'server-time on the regional API, DPoP verified (RS256 proof, new jti each request)',
            // An RS256 proof takes ~260 µs to sign: a pool of 5,000 a second of round (beyond it the
            // harness signs inline) is above what this path served here.
            (id, label) => dpopServerTime(id, label, t.cx, t.dpopRs256, 5_000),
          ),
          ...[
            ['apiRevocationOff', 'server-time-revocation-off', 'off'],
            ['apiRevocationOn', 'server-time-revocation-on', 'on'],
          ].map(([key, id, state]) =>
            needs(
              [key, 'accessToken'],
              id,
              `server-time, \`cxauth serve api\` alone, Bearer verified, revocation feed ${state}`,
              (mid, label) => verifiedServerTime(mid, label, t[key], t.accessToken),
            ),
          ),
        ],
        comparisons: [
          {
            subject: 'server-time',
            baseline: 'bare-server-time',
            target: 0.8,
            label: 'server-time verified / unauthenticated',
          },
          {
            subject: 'server-time-dpop',
            baseline: 'server-time',
            target: 0.8,
            label: 'server-time DPoP-verified / Bearer-verified',
          },
          {
            subject: 'server-time-dpop-rs256',
            baseline: 'server-time',
            target: 0.8,
            label: 'server-time DPoP-verified with RS256 proofs / Bearer-verified',
          },
          {
            subject: 'server-time-revocation-on',
            baseline: 'server-time-revocation-off',
            target: 0.95,
            label: 'server-time verified, revocation on / off',
          },
        ],
      };
    }
    case 'discovery': {
      const isDiscovery = (b) => b?.issuer === t.cx?.issuer;
      const isJwks = (b) => Array.isArray(b?.keys) && b.keys.length > 0;
      const get = (server, path, test) => (id, label) => jsonGet(id, label, server(), path, test);
      const bare = () => t.bare;
      const cx = () => cxauthTarget(t.cx);
      // The bare routes serve the bodies captured from cxauth, so they too need cxauth.
      return {
        title: 'Discovery and JWKS vs a bare Fastify JSON route (same body)',
        measurements: [
          needs(
            ['cx', 'bare'],
            'bare-discovery',
            'bare Fastify JSON route, discovery body',
            get(bare, '/json/discovery', isDiscovery),
          ),
          needs(
            ['cx'],
            'discovery',
            'GET /.well-known/openid-configuration',
            get(cx, '/.well-known/openid-configuration', isDiscovery),
          ),
          needs(
            ['cx', 'bare'],
            'bare-jwks',
            'bare Fastify JSON route, JWKS body',
            get(bare, '/json/jwks', isJwks),
          ),
          needs(['cx'], 'jwks', 'GET /auth/jwks', get(cx, '/auth/jwks', isJwks)),
        ],
        comparisons: [
          { subject: 'discovery', baseline: 'bare-discovery', target: 0.8, label: 'discovery / bare route' },
          { subject: 'jwks', baseline: 'bare-jwks', target: 0.8, label: 'JWKS / bare route' },
        ],
      };
    }
    case 'peer':
      return {
        title: 'One RS256 signature per response: cxauth vs node-oidc-provider',
        measurements: [
          ceiling(),
          needs(
            ['peer'],
            'peer',
            'node-oidc-provider 9, client_credentials, RS256 JWT access token',
            (id, label) =>
              http({
                id,
                label,
                server: t.peer,
                request: {
                  method: 'POST',
                  path: '/token',
                  headers: {
                    authorization: basicAuth(t.peer.clientId, t.peer.clientSecret),
                    'content-type': FORM,
                  },
                  body: 'grant_type=client_credentials&scope=api%3Aread',
                },
                expect: (b) => b?.access_token?.split('.').length === 3,
              }),
          ),
          needs(
            ['cx'],
            'client-credentials',
            'cxauth client_credentials, RS256 JWT access token',
            (id, label) =>
              http({
                id,
                label,
                server: cxauthTarget(t.cx),
                request: {
                  method: 'POST',
                  path: '/auth/token',
                  headers: {
                    authorization: basicAuth(t.cx.machineCreds.client_id, t.cx.machineCreds.client_secret),
                    'content-type': FORM,
                  },
                  body: 'grant_type=client_credentials',
                },
                expect: (b) => b?.access_token?.split('.').length === 3,
              }),
          ),
          needs(
            ['cx', 'scope1'],
            'password-1sig',
            `cxauth password grant, scope "${t.scope1 ?? 'without openid'}" (1 signature)`,
            (id, label) => passwordGrant(id, label, t.cx, t.scope1),
          ),
        ],
        comparisons: [
          {
            subject: 'client-credentials',
            baseline: 'peer',
            target: 1.5,
            label: 'cxauth / node-oidc-provider, client_credentials (like for like)',
          },
          {
            subject: 'password-1sig',
            baseline: 'peer',
            target: 1.5,
            label: 'cxauth / node-oidc-provider (1 signature each)',
          },
          {
            subject: 'password-1sig',
            baseline: 'ceiling',
            divisor: 1,
            target: 0.85,
            label: 'cxauth 1-signature grant / ceiling',
          },
          {
            subject: 'peer',
            baseline: 'ceiling',
            divisor: 1,
            label: 'node-oidc-provider / ceiling (for reference)',
          },
        ],
      };
    case 'postgres':
      return grantGroup(
        t,
        'pg',
        'Token grants vs the signing ceiling (PostgreSQL 127.0.0.1:5432)',
        'PostgreSQL',
      );
    case 'compare':
      return compareGroup(t);
    case 'alg':
      return algGroup(t);
    case 'grow':
      return growGroup(t, { grownKey: 'grown', emptyKey: 'cx', db: 'SQLite', purgeSessions: t.growPurge });
    case 'grow-postgres':
      return growGroup(t, {
        grownKey: 'pgGrown',
        emptyKey: 'pg',
        db: 'PostgreSQL',
        purgeSessions: t.growPurge,
      });
    case 'scim':
      return scimGroup(t);
    case 'import':
      return importGroup(t);
    case 'federation':
      return federationGroup(t);
    default:
      throw new Error(`unknown group ${name}; one of ${GROUPS.join(', ')}`);
  }
}

/** A measurement whose target is missing stays in the report as skipped, with the reason. */
function needsOf(t) {
  return (keys, id, label, make) => {
    const missing = keys.find((k) => !t[k]);
    return missing ? { id, label, skipped: t.why?.[missing] ?? `${missing} not started` } : make(id, label);
  };
}

/**
 * Password and refresh grants (2 signatures each) of the cxauth started as `t[key]`, on `db` when named;
 * with `signIn`, also the authorization_code exchange and the password hash one sign-in costs.
 */
function grantGroup(t, key, title, db, signIn = false) {
  const needs = needsOf(t);
  const two = 'default scope openid: access token + id_token, 2 signatures';
  const where = db ? ` on ${db}` : '';
  return {
    title,
    measurements: [
      ceiling(),
      needs([key], 'password', `password grant${where} (${two})`, (id, label) =>
        passwordGrant(id, label, t[key]),
      ),
      needs([key], 'refresh', `refresh grant${where} (${two})`, (id, label) =>
        refreshGrant(id, label, t[key]),
      ),
      ...(signIn
        ? [
            needs(
              [key],
              'code',
              `authorization_code exchange, public app + PKCE${where} (${two})`,
              (id, label) => codeGrant(id, label, t[key]),
            ),
            needs(
              [key],
              'code-sso',
              `code grant: single sign-on at /auth/authorize, first-party app${where}`,
              (id, label) => authorizeSso(id, label, t[key]),
            ),
            needs(
              [key],
              'code-consented',
              `code grant: single sign-on at /auth/authorize, third-party app with a remembered consent${where}`,
              (id, label) => authorizeSso(id, label, t[key], t[key].thirdPartyClientId),
            ),
            passwordHashCost(),
          ]
        : []),
    ],
    comparisons: [
      ...[...(signIn ? ['password', 'refresh', 'code'] : ['password', 'refresh'])].map((grant) => ({
        subject: grant,
        baseline: 'ceiling',
        divisor: 2,
        target: 0.85,
        label: `${db ? `${db} ` : ''}${grant} grant / (ceiling ÷ 2)`,
      })),
      // Reading the remembered consent costs third-party apps at most 5% of single sign-on.
      ...(signIn
        ? [
            {
              subject: 'code-consented',
              baseline: 'code-sso',
              target: 0.95,
              label: `${db ? `${db} ` : ''}SSO with a remembered consent / SSO of a first-party app`,
            },
          ]
        : []),
    ],
  };
}

/**
 * This build against another one (`--compare-cli`), both on SQLite, measured round by round in one run:
 * the ratio says whether a change made the grants slower, whatever the machine's load does meanwhile.
 */
function compareGroup(t) {
  const needs = needsOf(t);
  const grants = { password: passwordGrant, refresh: refreshGrant };
  return {
    title: `This build vs ${t.base?.cli ?? 'the --compare-cli build'} (SQLite, same rounds)`,
    measurements: Object.entries(grants).flatMap(([grant, measure]) => [
      needs(['cx'], grant, `${grant} grant, this build`, (id, label) => measure(id, label, t.cx)),
      needs(['base'], `${grant}-before`, `${grant} grant, the --compare-cli build`, (id, label) =>
        measure(id, label, t.base),
      ),
    ]),
    comparisons: Object.keys(grants).map((grant) => ({
      subject: grant,
      baseline: `${grant}-before`,
      target: 0.95,
      label: `${grant} grant: this build / the other build`,
    })),
  };
}
