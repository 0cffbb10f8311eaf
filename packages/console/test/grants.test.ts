// Connected applications in a real Chromium: the demo user allows a third-party app on the consent
// page, finds it in the console's "Connected applications" page, and withdraws it there.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Demo, openConsole, passwordGrant, shoot, startDemo } from './support/console.js';

const REDIRECT = 'http://127.0.0.1/callback';
let demo: Demo;

beforeAll(async () => {
  demo = await startDemo();
}, 60_000);
afterAll(async () => demo?.close());

it('lists a grant given on the consent page and withdraws it', async () => {
  const creds = demo.creds;
  const grant = await passwordGrant(
    demo.issuer,
    { id: creds['client_id'] ?? '', secret: creds['client_secret'] ?? '' },
    { id: creds['accessKeyId'] ?? '', secret: creds['accessKeySecret'] ?? '' },
    'openid admin',
  );
  const token = grant.body['access_token'] as string;
  const created = await fetch(`${demo.issuer}/admin/v1/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Shop',
      type: 'public',
      tenancy: 'all',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
    }),
  });
  expect(created.status).toBe(201);
  const shop = (await created.json()) as { client_id: string };

  const { page } = await openConsole(
    demo,
    { width: 1280, height: 800 },
    {
      email: creds['username'] ?? '',
      password: creds['password'] ?? '',
    },
  );
  await page.goto(
    `${demo.issuer}/auth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: shop.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    })}`,
  );
  await page.getByRole('heading', { name: 'Allow Shop?' }).waitFor();
  await expect(page.getByText('See your e-mail address').isVisible()).resolves.toBe(true);
  await shoot(page, 'desktop-consent');
  // Read from the browser's request for the redirect URI, not by intercepting it: the npm Chromium
  // does not hand a redirected navigation to page.route (test/support/chromium.ts).
  // Nothing listens there, so the request fails and the browser shows its error page: wait for that
  // page, or its navigation would cut the next one short.
  const back = page.waitForEvent('requestfailed', {
    predicate: (r) => r.url().startsWith(REDIRECT),
    timeout: 30_000,
  });
  await page.getByRole('button', { name: 'Allow' }).click();
  expect(new URL((await back).url()).searchParams.get('code')).toBeTruthy();
  await page.waitForURL((url) => url.protocol === 'chrome-error:');

  await page.goto(`${demo.issuer}/console/connected-apps`);
  await page.getByRole('heading', { name: 'Connected applications', level: 1 }).waitFor();
  await page.getByRole('cell', { name: 'Shop', exact: true }).waitFor();
  await shoot(page, 'desktop-connected-apps');
  await page.getByRole('button', { name: 'Withdraw Shop' }).click();
  await page.getByText('You have not allowed any application yet.').waitFor();
}, 90_000);
