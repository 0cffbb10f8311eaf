// Upstream identity providers for the federation tests: node-oidc-provider (the reference OpenID
// Connect implementation, with its development login and consent pages) and a small hand-made
// provider over node:http whose token endpoint can be told to misbehave (another issuer, another
// nonce, another audience), to show the callback refuses each.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export interface RunningIdp {
  readonly issuer: string;
  close(): Promise<void>;
}

const listen = (server: http.Server) =>
  new Promise<string>((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
const closing = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** node-oidc-provider with one confidential client; every login name is an account with that e-mail. */
export async function startOidcProvider(o: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** The account's `email_verified` (default true). */
  emailVerified?: boolean;
}): Promise<RunningIdp> {
  const server = http.createServer();
  const issuer = await listen(server);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: o.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name'],
    },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          const [local = ''] = sub.split('@');
          return {
            sub,
            email: sub,
            email_verified: o.emailVerified ?? true,
            given_name: local.charAt(0).toUpperCase() + local.slice(1),
            family_name: 'Upstream',
          };
        },
      };
    },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 300, IdToken: 300 },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: true } },
  });
  // Quiet: its development-mode warnings are expected here.
  provider.on('server_error', () => undefined);
  server.on('request', provider.callback());
  return { issuer, close: () => closing(server) };
}

/** How the hand-made provider's token endpoint answers. */
export type Misbehaviour = 'none' | 'other-issuer' | 'wrong-nonce' | 'other-audience';

export interface FakeIdp extends RunningIdp {
  /** Set before a sign-in: how its id_token is wrong. */
  misbehave: Misbehaviour;
  /** The subject and claims of the next id_token. */
  account: { sub: string; email: string; email_verified: boolean; amr?: string[] };
}

/**
 * A provider that signs in `account` at once: its authorization endpoint redirects back with a code,
 * its token endpoint answers with an id_token signed by its key, wrong as `misbehave` says.
 */
export async function startFakeIdp(o: { clientId: string }): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirectUri: string }>();
  const server = http.createServer();
  const issuer = await listen(server);
  const idp: FakeIdp = {
    issuer,
    misbehave: 'none',
    account: { sub: 'fake-subject', email: 'fake@fake.test', email_verified: true },
    close: () => closing(server),
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const code = crypto.randomBytes(16).toString('base64url');
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      codes.set(code, {
        nonce: url.searchParams.get('nonce') ?? '',
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', async () => {
        const form = new URLSearchParams(body);
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
        if (!grant || grant.challenge !== challenge || form.get('client_id') !== o.clientId) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        const now = Math.floor(Date.now() / 1000);
        const idToken = await new SignJWT({
          nonce: idp.misbehave === 'wrong-nonce' ? 'not-the-nonce' : grant.nonce,
          email: idp.account.email,
          email_verified: idp.account.email_verified,
          ...(idp.account.amr ? { amr: idp.account.amr } : {}),
        })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setIssuer(idp.misbehave === 'other-issuer' ? 'https://other-issuer.test' : issuer)
          .setAudience(idp.misbehave === 'other-audience' ? 'another-client' : o.clientId)
          .setSubject(idp.account.sub)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(privateKey);
        return json(res, 200, {
          access_token: crypto.randomBytes(16).toString('base64url'),
          token_type: 'Bearer',
          expires_in: 300,
          id_token: idToken,
        });
      });
      return;
    }
    res.writeHead(404).end();
  });
  return idp;
}
