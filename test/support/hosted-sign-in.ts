// Signing in through the hosted page over a real socket, as a browser does: the form, its hidden
// inputs and the cookies it sets, the consent page of a third-party app (allowed), then the redirect
// carrying the code (RFC 6749 §4.1, PKCE RFC 7636).
import { createHash, randomBytes } from 'node:crypto';

export interface SignInRequest {
  issuer: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  /** Default `openid profile`. */
  scope?: string;
  /** RFC 8707 resource indicator (the admin API's is `<issuer>/admin/v1`). */
  resource?: string;
}

/** The cookies a response sets, as a Cookie header to send back (what a browser would keep). */
function keepCookies(jar: Map<string, string>, res: Response): string {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The hidden inputs of a page's form. */
function hiddenInputs(html: string): Record<string, string> {
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    hidden[m[1] as string] = (m[2] as string).replace(/&amp;/g, '&').replace(/&quot;/g, '"');
  }
  return hidden;
}

/** Signs in through `/auth/authorize`; returns the code and the PKCE verifier to exchange it with. */
export async function signInThroughPage(r: SignInRequest): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    scope: r.scope ?? 'openid profile',
    ...(r.resource ? { resource: r.resource } : {}),
    state: 'e2e',
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const jar = new Map<string, string>();
  const page = await fetch(`${r.issuer}/auth/authorize?${query}`, { redirect: 'manual' });
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`);
  const post = async (body: string, fields: Record<string, string>) =>
    fetch(`${r.issuer}/auth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: keepCookies(jar, page) },
      body: new URLSearchParams({ ...hiddenInputs(body), ...fields }),
    });
  let posted = await post(await page.text(), { username: r.username, password: r.password });
  // A third-party app asks for consent first (docs/sign-in.md, "Consent"): allow it.
  if (posted.status === 200) {
    const consent = await posted.text();
    if (!consent.includes('name="decision"'))
      throw new Error('the sign-in answered 200 without a consent form');
    keepCookies(jar, posted);
    posted = await post(consent, { decision: 'allow' });
  }
  const code = new URL(posted.headers.get('location') ?? '', r.issuer).searchParams.get('code');
  if (posted.status !== 302 || !code) throw new Error(`the sign-in answered ${posted.status}, no code`);
  return { code, verifier };
}
