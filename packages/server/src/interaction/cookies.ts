// The cookies of the sign-in pages: the sign-in session (single sign-on), the browser binding of the
// sign-in form (CSRF) and the device cookie (throttling). HttpOnly and SameSite=Lax always; on an https issuer Secure and the `__Host-`
// prefix, which also pins them to this host and path `/` (RFC 6265bis §4.1.3.2).
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The sign-in session, the CSRF binding, and the device cookie of interaction/device-cookie.ts. */
export type CookieName = 'session' | 'browser' | 'device';

export interface CookieJar {
  /** The value of one of our cookies in the request, if any. */
  read(request: FastifyRequest, name: CookieName): string | undefined;
  /** Sets a cookie; `maxAge` seconds, or undefined for a browser-session cookie. */
  set(reply: FastifyReply, name: CookieName, value: string, maxAge?: number): void;
  clear(reply: FastifyReply, name: CookieName): void;
}

const VALUE = /^[A-Za-z0-9_-]{1,200}$/;

/** Parses a Cookie header into name → value (first occurrence wins: RFC 6265 §5.4 orders by path). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/**
 * The cookies of an issuer.
 * @see RFC 6265 §4.1, draft-ietf-httpbis-rfc6265bis §4.1.2.7 (SameSite) and §4.1.3 (prefixes)
 */
export function cookieJar(issuer: string): CookieJar {
  const secure = issuer.startsWith('https:');
  const nameOf = (name: CookieName) => `${secure ? '__Host-' : ''}cxauth_${name}`;
  const attributes = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  const append = (reply: FastifyReply, cookie: string) => {
    const existing = reply.getHeader('Set-Cookie');
    const list = existing === undefined ? [] : [existing].flat().map(String);
    reply.header('Set-Cookie', [...list, cookie]);
  };
  return {
    read(request, name) {
      const value = parseCookies(request.headers.cookie).get(nameOf(name));
      return value !== undefined && VALUE.test(value) ? value : undefined;
    },
    set(reply, name, value, maxAge) {
      append(
        reply,
        `${nameOf(name)}=${value}; ${attributes}${maxAge === undefined ? '' : `; Max-Age=${maxAge}`}`,
      );
    },
    clear(reply, name) {
      append(reply, `${nameOf(name)}=; ${attributes}; Max-Age=0`);
    },
  };
}
