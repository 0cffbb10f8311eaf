// The strict-HTTP hooks of a Fastify server of cxauth (the global service and the regional API): a
// repeated Authorization or Content-Type and a content coding refused before any route or body parser,
// `nosniff` on every answer, and a body too large drained (bounded) after its 413. Each server answers a
// refusal in its own error shape.
import type { FastifyInstance, FastifyReply, HookHandlerDoneFunction } from 'fastify';
import { drainRefusedBody, isIdentityCoding, repeatedHeader } from './strict-http.js';

/** Why a request is refused before its body is read. */
export interface StrictRefusal {
  /** 400 for a repeated header, 415 for a content coding. */
  readonly status: 400 | 415;
  /** What the client is to change, for `error_description`. */
  readonly description: string;
  /** Response headers the refusal needs (`Accept-Encoding: identity` with a 415). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Answers a refusal in the server's error shape: sends on `reply`, or passes an error to `done`. */
export type RefuseRequest = (
  refusal: StrictRefusal,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

const NONE: Readonly<Record<string, string>> = Object.freeze({});
const CODING: StrictRefusal = Object.freeze({
  status: 415,
  description: 'send the body without a Content-Encoding',
  headers: Object.freeze({ 'Accept-Encoding': 'identity' }),
});
const REPEATED = {
  Authorization: Object.freeze({
    status: 400,
    description: 'send exactly one Authorization header',
    headers: NONE,
  }),
  'Content-Type': Object.freeze({
    status: 400,
    description: 'send exactly one Content-Type header',
    headers: NONE,
  }),
} as const satisfies Record<string, StrictRefusal>;

/**
 * The refusal of a request with a repeated Authorization or Content-Type (400) or a content coding
 * (415), or undefined. Built once each: a refusal costs no allocation.
 * @see RFC 9110 §5.3 and §15.5.16, RFC 6750 §3.1, RFC 7694 §3 (Accept-Encoding in a response)
 */
export function strictRefusal(
  rawHeaders: readonly string[] | undefined,
  contentEncoding: string | undefined,
): StrictRefusal | undefined {
  const repeated = repeatedHeader(rawHeaders);
  if (repeated !== undefined) return REPEATED[repeated];
  return isIdentityCoding(contentEncoding) ? undefined : CODING;
}

/**
 * Registers the checks on every request, before its body is read, `X-Content-Type-Options: nosniff` on
 * every answer, and the drain of a refused body: the framework closes the connection after a 413 with
 * the body unread, which resets it under a client still writing (EPIPE instead of the answer).
 * @see RFC 9112 §9.6 (tear-down), RFC 9110 §15.5.14 (413)
 */
export function registerStrictHeaders(app: FastifyInstance, refuse: RefuseRequest): void {
  // A callback hook: one header write and one pass over the raw headers, no promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    const refusal = strictRefusal(request.raw.rawHeaders, request.headers['content-encoding']);
    if (refusal === undefined) return done();
    refuse(refusal, reply, done);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 413 && drainRefusedBody(request.raw)) reply.removeHeader('connection');
    done(null, payload);
  });
}
