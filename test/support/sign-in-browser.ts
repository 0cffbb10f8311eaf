// A browser made of fetch for live-server tests: follows an authorization URL to the hosted sign-in
// page, keeps its cookies, posts the form with the user's password as a browser would, allows a
// third-party app on the consent page, and returns where the issuer sends it back (the app's redirect
// URI with the code), without following it there.

/** The hidden inputs of the first form (interaction and CSRF token), HTML entities undone. */
function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    out[m[1] as string] = (m[2] as string).replace(/&quot;/g, '"').replace(/&amp;/g, '&');
  }
  return out;
}

/** The `name=value` of each Set-Cookie, merged into `jar`. */
function keep(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = (pair ?? '').indexOf('=');
    if (eq > 0) jar.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
  }
}

/**
 * Opens `authorizationUrl`, signs in with `username` and `password` on the page, and returns the
 * Location the issuer redirects to (the callback URL). Throws when the page or the post fails.
 */
export async function signInWithForm(
  authorizationUrl: string,
  username: string,
  password: string,
): Promise<string> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  keep(jar, page);
  const body = await page.text();
  if (page.status !== 200) throw new Error(`the sign-in page answered ${page.status}`);
  const post = async (html: string, fields: Record<string, string>) => {
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '/auth/authorize';
    const answer = await fetch(new URL(action, authorizationUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
      body: new URLSearchParams({ ...hiddenInputs(html), ...fields }),
    });
    keep(jar, answer);
    return answer;
  };
  let res = await post(body, { username, password });
  // A third-party app asks for consent (docs/sign-in.md, "Consent"): allow it, as its user would.
  if (res.status === 200) {
    const consent = await res.text();
    if (!consent.includes('name="decision"'))
      throw new Error('the sign-in answered 200 without a consent form');
    res = await post(consent, { decision: 'allow' });
  }
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`the sign-in answered ${res.status}, not a redirect`);
  return location;
}
