// Byte-exact encodings of the flow: form-urlencoding, the client password, base64url — browser-safe
// (TextEncoder, btoa/atob), no Node imports.

/**
 * `application/x-www-form-urlencoded` of one value, as browsers and RFC 6749 Appendix B do it:
 * space becomes `+`, every byte outside `A-Z a-z 0-9 * - . _` becomes `%XX` of its UTF-8.
 *
 * @example formUrlEncode('qwer====') === 'qwer%3D%3D%3D%3D'
 * @see https://www.rfc-editor.org/rfc/rfc6749#appendix-B
 */
export function formUrlEncode(value: string): string {
  // URLSearchParams implements exactly the WHATWG form-urlencoded serializer; strip the "k=".
  return new URLSearchParams({ k: value }).toString().slice(2);
}

/** Form body from ordered pairs; the order is kept so requests match the reference byte for byte. */
export function formBody(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${formUrlEncode(k)}=${formUrlEncode(v)}`).join('&');
}

/** Standard base64 (with padding) of the UTF-8 bytes of `text`. */
export function base64Encode(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The "client password" of the reference document: HTTP Basic credentials where client_id and
 * client_secret are each form-urlencoded first, joined by `:`, then base64-encoded with padding.
 *
 * The reference's example `NICE`/`CXone` encodes to `TklDRTpDWG9uZQ==`; the `Zm9vOmJhcg==` it shows is
 * the base64 of `foo:bar`, an error of the document.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2
 */
export function clientPassword(clientId: string, clientSecret: string): string {
  return base64Encode(`${formUrlEncode(clientId)}:${formUrlEncode(clientSecret)}`);
}

/**
 * Decodes base64url (RFC 4648 §5, padding optional) to bytes. Throws a TypeError on characters outside
 * the alphabet or an impossible length.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4648#section-5
 */
export function base64UrlDecode(input: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(input)) throw new TypeError('not base64url');
  const unpadded = input.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) throw new TypeError('not base64url: impossible length');
  const b64 = unpadded.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Decodes base64url to text, refusing bytes that are not valid UTF-8. */
export function base64UrlDecodeText(input: string): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(base64UrlDecode(input));
}
