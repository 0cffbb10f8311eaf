// Sending the sign-in pages (their HTML is written with domain/html.ts): the headers of every page and redirect of a sign-in —
// a strict Content-Security-Policy (no script at all, the one stylesheet by nonce), no framing, no
// storing, no referrer.
import crypto from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { Html } from '../domain/html.js';

/** Headers shared by the sign-in pages and their redirects. */
export function privateResponse(reply: FastifyReply): FastifyReply {
  return reply
    .header('Cache-Control', 'no-store')
    .header('Pragma', 'no-cache')
    .header('Referrer-Policy', 'no-referrer')
    .header('X-Content-Type-Options', 'nosniff');
}

/** A fresh nonce for one page's stylesheet. */
export function styleNonce(): string {
  return crypto.randomBytes(16).toString('base64');
}

/**
 * Sends a page. `formTargets` are the origins its forms may lead to: browsers apply `form-action` to
 * the redirect that answers a post too, so the app's redirect origin must be listed.
 * @see CSP Level 3 (`form-action`, `frame-ancestors`), RFC 6749 §10.13 (clickjacking)
 */
export function sendPage(
  reply: FastifyReply,
  status: number,
  page: Html,
  nonce: string,
  formTargets: readonly string[] = [],
  script = false,
): FastifyReply {
  const formAction = ["'self'", ...new Set(formTargets)].join(' ');
  // A page offering passkeys loads the one script of the service, by nonce (interaction/passkeys.ts).
  const scriptSrc = script ? ` script-src 'nonce-${nonce}';` : '';
  return privateResponse(reply)
    .code(status)
    .header(
      'Content-Security-Policy',
      `default-src 'none';${scriptSrc} style-src 'nonce-${nonce}'; img-src 'self' data:; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('X-Frame-Options', 'DENY')
    .type('text/html; charset=utf-8')
    .send(page.text);
}

/** Sends a 302 to `location` (only ever a registered redirect URI or one of our pages). */
export function sendRedirect(reply: FastifyReply, location: string): FastifyReply {
  return privateResponse(reply).code(302).header('Location', location).send();
}
