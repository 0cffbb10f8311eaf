// The revocation feed's pages: what storage holds after a position (or everything still live, when a
// verifier must start over), named by digests only and signed as one Security Event Token.
import { randomUUID } from 'node:crypto';
import { FEED_EVENT, revocationDigest } from '@cxauth/verify';
import type { RevocationEvent, Storage } from '../storage/contract/index.js';

export interface FeedOptions {
  readonly issuer: string;
  readonly storage: Storage;
  /** Signs the claims as a compact JWS with typ secevent+jwt (the key ring). */
  readonly sign: (claims: object) => Promise<string>;
  /**
   * Seconds after a revocation during which a token it covers may still be accepted somewhere: the
   * access-token lifetime plus the clock tolerance. Snapshots hold the events of this window.
   */
  readonly maxTokenAge: number;
  readonly clock: () => Date;
  /** Events per incremental page; a verifier asks again at once while `more` is true. */
  readonly pageSize?: number;
}

/** Signed pages are reused for this long (ms): a thousand verifiers polling cost one signature. */
const PAGE_REUSE_MS = 1_000;
const MAX_REUSED_PAGES = 256;

type Entries = [digest: string, at: number][];

/** One signed page: the SET, its `jti`, and whether more events follow at once. */
export interface FeedPageJws {
  readonly jti: string;
  readonly jws: string;
  readonly more: boolean;
}

/** Builds the signed pages of the feed; `page(after)` answers `GET /auth/revocations?after=`. */
export function revocationFeed(options: FeedOptions): {
  page(after: number | undefined): Promise<FeedPageJws>;
} {
  const pageSize = options.pageSize ?? 1_000;
  const reused = new Map<string, { at: number; jws: Promise<FeedPageJws> }>();

  async function sign(
    events: readonly RevocationEvent[],
    page: { more: boolean; [member: string]: unknown },
  ): Promise<FeedPageJws> {
    const sessions: Entries = [];
    const subjects: Entries = [];
    for (const e of events) {
      const entry: [string, number] = [
        revocationDigest(options.issuer, e.kind, e.value),
        Math.floor(e.at.getTime() / 1000),
      ];
      // A revoked session or token is refused whatever its iat; a subject's tokens issued before.
      (e.kind === 'sid' || e.kind === 'jti' ? sessions : subjects).push(entry);
    }
    const now = options.clock();
    const jti = randomUUID();
    const jws = await options.sign({
      iss: options.issuer,
      iat: Math.floor(now.getTime() / 1000),
      jti,
      events: {
        [FEED_EVENT]: {
          ...page,
          max_token_age: options.maxTokenAge,
          sessions_revoked: sessions,
          subjects_disabled: subjects,
        },
      },
    });
    return { jti, jws, more: page.more };
  }

  async function build(after: number | undefined): Promise<{ key: string; jws: () => Promise<FeedPageJws> }> {
    const head = await options.storage.revocations.head();
    // No position, one older than the purge, or one this database never gave: start over.
    if (after === undefined || after < head.purgedThrough || after > head.position) {
      return {
        key: `snapshot:${head.position}`,
        jws: async () => {
          const since = new Date(options.clock().getTime() - options.maxTokenAge * 1000);
          const events = await options.storage.revocations.since(since);
          return sign(events, { snapshot: true, position: head.position, more: false });
        },
      };
    }
    return {
      key: `${after}:${head.position}`,
      jws: async () => {
        const events = await options.storage.revocations.after(after, pageSize);
        const position = events.at(-1)?.position ?? after;
        return sign(events, { snapshot: false, after, position, more: events.length === pageSize });
      },
    };
  }

  return {
    async page(after) {
      const { key, jws } = await build(after);
      const now = options.clock().getTime();
      const known = reused.get(key);
      if (known && now - known.at < PAGE_REUSE_MS) return known.jws;
      for (const [k, v] of reused)
        if (now - v.at >= PAGE_REUSE_MS || reused.size >= MAX_REUSED_PAGES) reused.delete(k);
      const built = jws();
      reused.set(key, { at: now, jws: built });
      built.catch(() => reused.delete(key));
      return built;
    },
  };
}

/**
 * The purge hook of the revocation events: deletes at most `limit` events older than `before` and
 * returns how many (call again while it returns `limit`). `before` must leave the events of one
 * access-token lifetime plus the clock tolerance, or a verifier may miss a revocation still in force.
 * @see docs/revocation.md ("Retention")
 */
export function purgeRevocationEvents(storage: Storage, before: Date, limit = 1_000): Promise<number> {
  return storage.revocations.purge(before, limit);
}
