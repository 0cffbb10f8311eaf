// The one seam to openid-client: an upstream OpenID Connect provider found by discovery, the
// authorization URL of the code flow with PKCE, `state` and `nonce`, and the callback's checks (the
// id_token's `iss`, `aud`, `exp` and `nonce`, the `state`, RFC 9207 `iss` when the IdP sends it), with
// the userinfo endpoint read when the id_token lacks the e-mail.
import { LRUCache } from 'lru-cache';
import type * as OpenId from 'openid-client';
import type { IdentityProvider } from '../domain/identity-providers.js';
import { onDemand } from '../domain/on-demand.js';

/** Who the upstream says signed in: its subject, its claims (id_token and userinfo), its `amr`. */
export interface UpstreamIdentity {
  readonly subject: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly amr: readonly string[];
}

/** A refusal of the upstream's answer: `reason` is safe to log and audit (no token, no secret). */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(reason, options);
  }
}

export interface OidcUpstreams {
  /** The IdP's authorization URL for one sign-in. */
  authorizationUrl(
    idp: IdentityProvider,
    secret: string | undefined,
    p: { redirectUri: string; state: string; nonce: string; codeChallenge: string; loginHint?: string },
  ): Promise<URL>;
  /** Redeems the code of a callback and checks what came back. */
  complete(
    idp: IdentityProvider,
    secret: string | undefined,
    callback: URL,
    checks: { state: string; nonce: string; verifier: string },
  ): Promise<UpstreamIdentity>;
}

/** Plain http is allowed for a loopback issuer only (a test IdP on this machine). */
function loopback(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** Discovery results are kept an hour per IdP version (an edit of the IdP discovers again). */
const DISCOVERY_TTL_MS = 3_600_000;

/** openid-client, loaded with the first OpenID Connect sign-in rather than by every node at start. */
const openId = onDemand('the OpenID Connect client', (): Promise<typeof OpenId> => import('openid-client'));

/** The OIDC upstreams, with discovery cached. */
export function oidcUpstreams(o: { timeoutSeconds?: number } = {}): OidcUpstreams {
  const cache = new LRUCache<string, Promise<OpenId.Configuration>>({ max: 500, ttl: DISCOVERY_TTL_MS });
  const configuration = async (idp: IdentityProvider, secret: string | undefined) => {
    const client = await openId();
    const settings = idp.oidc;
    if (!settings) throw new UpstreamError('the identity provider is not an OpenID Connect provider');
    const key = `${idp.id}:${idp.updatedAt.getTime()}`;
    let found = cache.get(key);
    if (!found) {
      const issuer = new URL(settings.issuer);
      found = client.discovery(
        issuer,
        settings.clientId,
        undefined,
        secret === undefined ? client.None() : client.ClientSecretPost(secret),
        {
          timeout: o.timeoutSeconds ?? 10,
          ...(loopback(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
        },
      );
      // A failed discovery is tried again by the next sign-in, not remembered.
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found.catch((err: unknown) => {
      throw new UpstreamError('the identity provider could not be discovered', { cause: err });
    });
  };
  return {
    async authorizationUrl(idp, secret, p) {
      const config = await configuration(idp, secret);
      const client = await openId();
      return client.buildAuthorizationUrl(config, {
        redirect_uri: p.redirectUri,
        scope: (idp.oidc?.scopes ?? ['openid']).join(' '),
        response_type: 'code',
        code_challenge: p.codeChallenge,
        code_challenge_method: 'S256',
        state: p.state,
        nonce: p.nonce,
        ...(p.loginHint === undefined ? {} : { login_hint: p.loginHint }),
      });
    },
    async complete(idp, secret, callback, checks) {
      const config = await configuration(idp, secret);
      const client = await openId();
      let tokens: Awaited<ReturnType<typeof OpenId.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callback, {
          pkceCodeVerifier: checks.verifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        throw new UpstreamError(
          `the identity provider's answer was refused${typeof code === 'string' ? ` (${code})` : ''}`,
          { cause: err },
        );
      }
      const idToken = tokens.claims();
      if (!idToken) throw new UpstreamError('the identity provider sent no id_token');
      let claims: Record<string, unknown> = { ...idToken };
      // OIDC Core §5.3: claims of the scopes asked for may come from userinfo only.
      const emailClaim = idp.attributes.email;
      if (claims[emailClaim] === undefined && config.serverMetadata().userinfo_endpoint) {
        try {
          const info = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
          claims = { ...info, ...claims };
        } catch (err) {
          throw new UpstreamError("the identity provider's userinfo was refused", { cause: err });
        }
      }
      const amr = Array.isArray(idToken.amr) ? idToken.amr.filter((v) => typeof v === 'string') : [];
      return { subject: idToken.sub, claims, amr };
    },
  };
}
