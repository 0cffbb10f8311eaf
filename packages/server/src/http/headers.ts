// Response headers shared by several endpoints.
import type { FastifyReply } from 'fastify';

/**
 * Marks a response as never to be stored: token responses and anything carrying credentials.
 * @see RFC 6749 §5.1, RFC 6750 §5.3
 */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}

const CACHE_VALUES = new Map<number, string>();

/** Marks a public document cacheable for `seconds`. */
export function cacheFor(reply: FastifyReply, seconds: number): FastifyReply {
  let value = CACHE_VALUES.get(seconds);
  if (value === undefined) {
    value = `public, max-age=${seconds}`;
    CACHE_VALUES.set(seconds, value);
  }
  return reply.header('Cache-Control', value);
}

/** Sends a value already serialized to JSON (the hot paths build their JSON once or by hand). */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
