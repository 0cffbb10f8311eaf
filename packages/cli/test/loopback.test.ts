// The loopback page of `cxauth login` (RFC 8252 §7.3): the "Signed in" and "Sign-in failed" answers
// wear the hosted sign-in pages' stylesheet under a strict CSP (its one style allowed by a nonce, no
// script, no framing, no referrer), escape what the redirect carried, and only /callback answers.
import { PAGE_STYLE } from '@cxauth/server/page-style';
import { afterEach, expect, it } from 'vitest';
import { type Loopback, listenLoopback } from '../src/client/loopback.js';

let loopback: Loopback | undefined;
afterEach(() => loopback?.close());

const nonceOf = (csp: string | null) => /style-src 'nonce-([^']+)'/.exec(csp ?? '')?.[1];

it('answers the callback with a styled "Signed in" page under a strict CSP', async () => {
  loopback = await listenLoopback(10_000);
  const res = await fetch(`${loopback.redirectUri}?code=abc&state=xyz`);
  expect(res.status).toBe(200);
  const csp = res.headers.get('content-security-policy');
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("form-action 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const html = await res.text();
  const nonce = nonceOf(csp);
  expect(nonce).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
  expect(html).toContain(`<style nonce="${nonce}">${PAGE_STYLE}</style>`);
  expect(html).toContain('<h1>Signed in</h1>');
  expect(html).not.toContain('<script');
  expect(await loopback.callback).toBe(`${loopback.redirectUri}?code=abc&state=xyz`);
});

it('answers an error with the "Sign-in failed" page, the code escaped, and a fresh nonce each time', async () => {
  loopback = await listenLoopback(10_000);
  const res = await fetch(`${loopback.redirectUri}?error=${encodeURIComponent('<b>x</b>')}&state=s`);
  const html = await res.text();
  expect(html).toContain('<h1>Sign-in failed</h1>');
  expect(html).toContain('&#60;b&#62;x&#60;/b&#62;');
  expect(html).not.toContain('<b>x</b>');
  const other = await fetch(`${loopback.redirectUri.replace('/callback', '/elsewhere')}`);
  expect(other.status).toBe(404);
  expect(nonceOf(other.headers.get('content-security-policy'))).not.toBe(
    nonceOf(res.headers.get('content-security-policy')),
  );
  expect(await other.text()).toContain('<h1>Not found</h1>');
});
