// Request parameters in application/x-www-form-urlencoded: strict percent-decoding, no repeated
// parameters, no control characters. No Fastify here; http/form.ts plugs the parser into the server.
import { InvalidRequest } from './errors.js';

export type FormParams = Readonly<Record<string, string>>;

export const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/**
 * True when `value` holds a control character. RFC 6749 Appendix A admits none in any parameter
 * (VSCHAR, NQCHAR and UNICODECHARNOCRLF all exclude them; tab is kept for the last). Refusing them here
 * also keeps U+0000, which PostgreSQL text cannot hold, away from every lookup.
 */
export function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

function decode(text: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new InvalidRequest('the request body is not valid application/x-www-form-urlencoded');
  }
  if (hasControlChar(decoded)) throw new InvalidRequest('a parameter holds a control character');
  return decoded;
}

/**
 * Parses a form body. A parameter given twice, or holding a control character, is an error; one without
 * a value counts as omitted.
 * @see RFC 6749 §3.1 and §3.2 ("MUST NOT be included more than once"), WHATWG URL §5.1
 */
export function parseForm(body: string): FormParams {
  const params: Record<string, string> = Object.create(null);
  const seen = new Set<string>();
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (seen.has(name)) throw new InvalidRequest(`the parameter ${safeName(name)} is repeated`);
    seen.add(name);
    if (value !== '') params[name] = value;
  }
  return params;
}

/** Parameter names are echoed in errors only when they are short and plain. */
function safeName(name: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(name) ? name : '(parameter)';
}

/** True when the Content-Type header names the form media type (parameters such as charset allowed). */
export function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === FORM_MEDIA_TYPE;
}
