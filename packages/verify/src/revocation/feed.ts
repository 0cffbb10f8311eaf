// The revocation feed document: a Security Event Token (RFC 8417) whose one event is a page of the
// feed, signed by the issuer's keys. Parsing and every check of it live here; follower.ts fetches.
import { checkHeader, decodeJsonSegment, parseJsonObject, splitCompact } from '../compact.js';
import { TokenError } from '../errors.js';
import type { VerificationKey } from '../jose.js';
import { verifyJws } from '../jose.js';
import type { FeedEntry, RevocationState } from './set.js';

/** The `typ` of the feed document (RFC 8417 §2.3): never accepted as an access token, nor one as it. */
export const FEED_TYPE = 'secevent+jwt';
const FEED_TYPES: ReadonlySet<string> = new Set([FEED_TYPE, `application/${FEED_TYPE}`]);

/** The event type of a feed page inside the SET's `events` claim (RFC 8417 §2.2). */
export const FEED_EVENT = 'urn:cxauth:secevent:revocation-feed';

/** The issuer metadata member naming the feed (cxauth-specific, RFC 8414 §2 allows extensions). */
export const FEED_METADATA = 'cxauth_revocation_feed_uri';

/** One page of the feed, checked. */
export interface FeedPage extends RevocationState {
  /** The position this page follows, or null for a snapshot ("start over"). */
  after: number | null;
  /** True when the page holds everything still live and replaces what the verifier knew. */
  snapshot: boolean;
  /** True when more events follow at once: the verifier asks again without waiting. */
  more: boolean;
  /** Seconds since the epoch, when the issuer built the page. */
  iat: number;
}

const DIGEST = /^[A-Za-z0-9_-]{22}$/;

function position(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new Error(`feed ${what} is not a position`);
  return value as number;
}

function entries(value: unknown, what: string): FeedEntry[] {
  if (!Array.isArray(value)) throw new Error(`feed ${what} is not a list`);
  for (const entry of value) {
    if (
      !Array.isArray(entry) ||
      entry.length !== 2 ||
      typeof entry[0] !== 'string' ||
      !DIGEST.test(entry[0]) ||
      !Number.isSafeInteger(entry[1])
    ) {
      throw new Error(`feed ${what} holds an entry that is not [digest, at]`);
    }
  }
  return value as FeedEntry[];
}

/** Checks the claims of a verified feed document and returns its page. */
export function parseFeedClaims(claims: Record<string, unknown>, issuer: string): FeedPage {
  if (claims['iss'] !== issuer) throw new Error('feed document of another issuer');
  if (!Number.isFinite(claims['iat'])) throw new Error('feed document without iat');
  const events = claims['events'];
  const page = (events as Record<string, unknown> | null)?.[FEED_EVENT] as
    | Record<string, unknown>
    | undefined;
  if (typeof page !== 'object' || page === null) throw new Error(`feed document has no ${FEED_EVENT} event`);
  const snapshot = page['snapshot'] === true;
  const after = snapshot ? null : position(page['after'], 'after');
  const maxTokenAge = page['max_token_age'];
  if (!Number.isSafeInteger(maxTokenAge) || (maxTokenAge as number) < 0) {
    throw new Error('feed max_token_age is not a number of seconds');
  }
  return {
    after,
    snapshot,
    more: page['more'] === true,
    iat: claims['iat'] as number,
    position: position(page['position'], 'position'),
    maxTokenAge: maxTokenAge as number,
    sessions: entries(page['sessions_revoked'], 'sessions_revoked'),
    subjects: entries(page['subjects_disabled'], 'subjects_disabled'),
  };
}

/**
 * Verifies a feed document (compact JWS): header as strict as an access token's but with typ
 * secevent+jwt, the signature with the issuer's key `keyOf(kid)`, then its claims.
 * @see RFC 8417 §2 and §4 (SET and its security), RFC 7515 §5.2
 */
export async function verifyFeed(
  text: string,
  issuer: string,
  keyOf: (kid: string) => Promise<VerificationKey>,
): Promise<FeedPage> {
  const compact = text.trim();
  const [header] = splitCompact(compact);
  const { alg, kid } = checkHeader(decodeJsonSegment(header, 'header'), FEED_TYPES);
  const key = await keyOf(kid);
  // RFC 8725 §3.1: the key decides the algorithm, as for access tokens.
  if (alg !== key.alg) {
    throw new TokenError('alg_not_allowed', `The feed algorithm does not match its key (${key.alg})`);
  }
  const payload = await verifyJws(compact, key);
  return parseFeedClaims(parseJsonObject(Buffer.from(payload).toString('utf8'), 'payload'), issuer);
}
