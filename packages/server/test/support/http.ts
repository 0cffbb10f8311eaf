// Request builders shared by the HTTP tests: Basic credentials (RFC 6749 §2.3.1) and form bodies.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** Form-urlencodes one credential part the way RFC 6749 Appendix B says (space as '+'). */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export function basic(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

export function form(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`)
    .join('&');
}

export const FORM = 'application/x-www-form-urlencoded';

/** POSTs a form to /auth/token. */
export function tokenRequest(
  app: FastifyInstance,
  params: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { 'content-type': FORM, ...headers },
    payload: typeof params === 'string' ? params : form(params),
  });
}

/** Decodes the payload of a compact JWS (no verification). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8'));
}

export function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString('utf8'));
}
