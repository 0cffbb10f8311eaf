// Client authentication at the token, revocation and introspection endpoints: client_secret_basic or
// client_secret_post, exactly one per request, or `none` (client_id alone) for a public application;
// an unknown client and a wrong secret fail alike.
import type { Application } from '../domain/types.js';
import type { Hasher } from '../secrets/hasher.js';
import { InvalidClient, InvalidRequest } from './errors.js';
import { type FormParams, hasControlChar } from './params.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** What discovery lists for endpoints that take any client (RFC 8414 §2). */
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = Object.freeze([
  'client_secret_basic',
  'client_secret_post',
  'none',
]);

export interface AuthenticatedClient {
  readonly app: Application;
  readonly method: ClientAuthMethod;
}

export interface ClientAuthDeps {
  readonly getApplication: (clientId: string) => Promise<Application | undefined>;
  readonly hasher: Hasher;
  /** The time a rotated-out secret's overlap is checked against (default: now). */
  readonly now?: Date;
}

const FAILED = 'client authentication failed';
/** Compared against when the client is unknown, so both failures cost the same. */
const DUMMY_HASH = Buffer.alloc(32);

/** Form-urldecodes one part of the Basic credentials ('+' is a space); control characters are malformed. */
function formDecode(part: string, usedBasic: boolean): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new InvalidClient('malformed Basic credentials', usedBasic);
  }
  if (hasControlChar(decoded)) throw new InvalidClient('malformed Basic credentials', usedBasic);
  return decoded;
}

/**
 * Reads `client_id:client_secret` from a Basic header: base64 of the two parts joined by the first
 * colon, each form-urlencoded first.
 * @see RFC 6749 §2.3.1, RFC 7617 §2
 */
export function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
  if (!match) throw new InvalidClient('malformed Basic credentials', true);
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new InvalidClient('malformed Basic credentials', true);
  return {
    clientId: formDecode(decoded.slice(0, colon), true),
    secret: formDecode(decoded.slice(colon + 1), true),
  };
}

/**
 * An Authorization header read once: its Basic credentials, or why they are refused (thrown when
 * authentication needs them, so a malformed header is judged where it always was).
 */
export type PresentedBasic =
  | { readonly clientId: string; readonly secret: string }
  | { readonly refused: InvalidClient };

/** Reads an Authorization header once, without throwing (see {@link PresentedBasic}). */
export function readBasic(authorization: string): PresentedBasic {
  if (!/^basic\b/i.test(authorization)) {
    return { refused: new InvalidClient('use the Basic scheme or client_secret_post', true) };
  }
  try {
    return parseBasic(authorization);
  } catch (err) {
    if (err instanceof InvalidClient) return { refused: err };
    throw err;
  }
}

function basicCredentials(presented: PresentedBasic): { clientId: string; secret: string } {
  if ('refused' in presented) throw presented.refused;
  return presented;
}

/**
 * Whether `secret` is the application's current secret or, during the overlap after a rotation, the
 * one it replaced. Both are always compared (constant time each, no early exit), so the answer costs
 * the same whichever matches, and for an unknown client or a public one (no secret) too.
 */
function secretMatches(deps: ClientAuthDeps, app: Application | undefined, secret: string): boolean {
  const previous = app?.previousSecret;
  const current = deps.hasher.verify(secret, app?.secretHash ?? DUMMY_HASH);
  const old = deps.hasher.verify(secret, previous?.hash ?? DUMMY_HASH);
  const overlapOpen =
    previous !== undefined && previous !== null && previous.expiresAt > (deps.now ?? new Date());
  return app !== undefined && (current || (old && overlapOpen));
}

/**
 * Authenticates the client of a token request. Inactive applications fail like unknown ones.
 * @see RFC 6749 §2.3 and §3.2.1, OIDC Core §9
 */
export async function authenticateClient(
  deps: ClientAuthDeps,
  authorization: string | PresentedBasic | undefined,
  params: FormParams,
): Promise<AuthenticatedClient> {
  let clientId: string;
  let secret: string;
  let method: ClientAuthMethod;
  if (authorization !== undefined) {
    ({ clientId, secret } = basicCredentials(
      typeof authorization === 'string' ? readBasic(authorization) : authorization,
    ));
    if (params['client_secret'] !== undefined) {
      throw new InvalidRequest('use exactly one client authentication method');
    }
    // A client_id in the body as well is tolerated only when it names the same client.
    if (params['client_id'] !== undefined && params['client_id'] !== clientId) {
      throw new InvalidRequest('client_id does not match the authenticated client');
    }
    method = 'client_secret_basic';
  } else {
    const id = params['client_id'];
    const postSecret = params['client_secret'];
    if (id !== undefined && postSecret === undefined) return publicClient(deps, id);
    if (id === undefined || postSecret === undefined) {
      // Nothing tried: announce the scheme we accept (RFC 9110 §11.6.1 wants a challenge with 401).
      throw new InvalidClient('client authentication is required', id === undefined);
    }
    clientId = id;
    secret = postSecret;
    method = 'client_secret_post';
  }
  const usedBasic = method === 'client_secret_basic';
  const app = await deps.getApplication(clientId);
  // Compared before anything else is looked at, so an unknown client costs what a known one does. A
  // public application has no secret: every secret presented for it fails like a wrong one.
  const matches = secretMatches(deps, app, secret);
  if (!app || !matches || app.secretHash === null || app.status !== 'active') {
    // A wrong or unknown secret is the one failure here that is a guess (the throttle counts it).
    throw new InvalidClient(FAILED, usedBasic, { kind: 'client', id: clientId, known: app !== undefined });
  }
  return { app, method };
}

/**
 * A client that sent only its client_id: accepted for a public application (`none`; its grants
 * carry their own proof, PKCE or a rotated refresh token), refused for any other.
 * @see RFC 6749 §2.1 and §3.2.1, OIDC Core §9 (`none`), RFC 8252 §8.4
 */
async function publicClient(deps: ClientAuthDeps, clientId: string): Promise<AuthenticatedClient> {
  const app = await deps.getApplication(clientId);
  if (app?.type !== 'public' || app.secretHash !== null || app.status !== 'active') {
    throw new InvalidClient('client authentication is required', false);
  }
  return { app, method: 'none' };
}
