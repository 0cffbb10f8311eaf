// Entity tags for the admin API's resources, and the `If-Match` precondition of updates: a client that
// sends the ETag it read is refused (412) when someone changed the resource since (RFC 9110 §13.1.1).
// `If-Match` is optional: without it the update applies (docs/admin-api.md, "ETags").
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from './problem.js';

/** A strong ETag of a representation: a digest of its JSON. @see RFC 9110 §8.8.3 */
export function etagOf(representation: unknown): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(representation)).digest('base64url');
  return `"${digest.slice(0, 27)}"`;
}

/** Sets the ETag header and returns the representation. */
export function tagged<T>(reply: FastifyReply, representation: T): T {
  reply.header('ETag', etagOf(representation));
  return representation;
}

/**
 * Refuses the request with 412 when it has `If-Match` and none of its tags (or `*`) matches the
 * current representation (strong comparison).
 * @see RFC 9110 §13.1.1
 */
export function requireMatch(request: FastifyRequest, current: unknown): void {
  const header = request.headers['if-match'];
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*') || tags.includes(etagOf(current))) return;
  throw new Problem(412, 'Precondition Failed', 'the resource changed since it was read; read it again');
}
