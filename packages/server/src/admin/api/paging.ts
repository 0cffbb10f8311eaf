// Pagination of list responses: `{"items":[…]}` with at most `limit` items, and `Link: <…>; rel="next"`
// (RFC 8288 §3) carrying an opaque cursor while more remain.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from './problem.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

const encode = (key: string) => Buffer.from(JSON.stringify({ k: key })).toString('base64url');

function decode(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof value.k === 'string') return value.k;
  } catch {
    // Falls through to the one answer for every bad cursor.
  }
  throw badRequest('cursor is not one this API handed out');
}

/** The key a cursor carries (for lists paged in the database rather than here). */
export function cursorKey(request: FastifyRequest): string | undefined {
  const { cursor } = request.query as PageQuery;
  return cursor === undefined ? undefined : decode(cursor);
}

/** Sets `Link: <…>; rel="next"` to the page after the item whose key is `key`. */
export function linkNext(request: FastifyRequest, reply: FastifyReply, baseUrl: string, key: string): void {
  const query = request.query as PageQuery;
  const url = new URL(request.url, baseUrl);
  url.searchParams.set('limit', String(query.limit ?? DEFAULT_LIMIT));
  url.searchParams.set('cursor', encode(key));
  reply.header('Link', `<${url.href}>; rel="next"`);
}

/**
 * One page of `items` in the order of `keyOf` (unique, sortable), after the cursor's key; sets the
 * `Link` header to the next page when there is one. Items added between pages are seen at most once.
 * @see RFC 8288 §3 (the Link header), §3.3 (`next`)
 */
export function page<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  baseUrl: string,
  items: readonly T[],
  keyOf: (item: T) => string,
): { items: T[] } {
  const query = request.query as PageQuery & Record<string, unknown>;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor === undefined ? undefined : decode(query.cursor);
  const sorted = [...items].map((item) => ({ item, key: keyOf(item) }));
  sorted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((e) => e.key > after);
  const chosen = rest.slice(0, limit);
  const last = chosen.at(-1);
  if (rest.length > limit && last) linkNext(request, reply, baseUrl, last.key);
  return { items: chosen.map((e) => e.item) };
}
