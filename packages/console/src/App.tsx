// The console's frame: sign-in on arrival, the signed-in person's profile (their e-mail, what they
// may do), the navigation of the pages they may use, and the page of the current path.
import { useEffect, useState } from 'preact/hooks';
import { type Level, loadProfile, type Profile } from './auth/profile.js';
import { completeSignIn, me, onChange, signIn, signOut } from './auth/session.js';
import { Page } from './components/ui.js';
import { AccessKeys } from './pages/AccessKeys/index.js';
import { Applications } from './pages/Applications/index.js';
import { Audit } from './pages/Audit/index.js';
import { Dashboard } from './pages/Dashboard/index.js';
import { Grants } from './pages/Grants/index.js';
import { SigningKeys } from './pages/Lists/index.js';
import { MailTemplates } from './pages/MailTemplates/index.js';
import { Passkeys } from './pages/Passkeys/index.js';
import { Areas, Tenants } from './pages/Platform/index.js';
import { Provisioning } from './pages/Provisioning/index.js';
import { Sessions } from './pages/Sessions/index.js';
import { Sso } from './pages/Sso/index.js';
import { Users } from './pages/Users/index.js';
import { Webhooks } from './pages/Webhooks/index.js';
import { BASE, interceptLinks, navigate, usePath } from './router.js';

const ALL: Level[] = ['operator', 'administrator', 'self'];
const ADMINS: Level[] = ['operator', 'administrator'];
// One line per page; the first a person may use is their home.
const PAGES = [
  { path: 'dashboard', label: 'Dashboard', view: Dashboard, for: ADMINS },
  { path: 'applications', label: 'Applications', view: Applications, for: ADMINS },
  { path: 'access-keys', label: 'Access keys', view: AccessKeys, for: ALL },
  { path: 'users', label: 'Users', view: Users, for: ADMINS },
  { path: 'sessions', label: 'Sessions', view: Sessions, for: ALL },
  { path: 'connected-apps', label: 'Connected apps', view: Grants, for: ALL },
  { path: 'passkeys', label: 'Passkeys', view: Passkeys, for: ALL },
  { path: 'tenants', label: 'Tenants', view: Tenants, for: ADMINS },
  { path: 'areas', label: 'Areas', view: Areas, for: ADMINS },
  { path: 'signing-keys', label: 'Signing keys', view: SigningKeys, for: ['operator'] as Level[] },
  { path: 'audit', label: 'Audit log', view: Audit, for: ADMINS },
  { path: 'scim', label: 'SCIM provisioning', view: Provisioning, for: ADMINS },
  { path: 'sso', label: 'Enterprise sign-in', view: Sso, for: ADMINS },
  { path: 'webhooks', label: 'Webhooks', view: Webhooks, for: ADMINS },
  { path: 'mail-templates', label: 'Mail templates', view: MailTemplates, for: ADMINS },
];

function Failed(props: { error: string }) {
  return (
    <main id="main">
      <Page title="Sign-in failed">
        <p role="alert">{props.error}</p>
        <button type="button" onClick={() => void signIn(BASE)}>
          Sign in again
        </button>
      </Page>
    </main>
  );
}

export function App() {
  const path = usePath();
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | undefined>();
  const [profile, setProfile] = useState<Profile | undefined>();
  useEffect(() => onChange(() => setTick((t) => t + 1)), []);

  useEffect(() => {
    if (path === `${BASE}callback`) {
      completeSignIn(new URLSearchParams(window.location.search))
        .then((to) => {
          // undefined: the sign-in starts again without `admin`; the page is about to leave.
          if (to === undefined) return;
          window.history.replaceState(null, '', to);
          window.dispatchEvent(new PopStateEvent('popstate'));
        })
        .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    } else if (!me()) {
      void signIn(path + window.location.search);
    }
  }, [path]);

  const user = me();
  useEffect(() => {
    if (!user || profile?.userId === user.userId) return;
    loadProfile()
      .then(setProfile)
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [user?.userId]);

  if (error) return <Failed error={error} />;
  if (!user || !profile)
    return (
      <p class="loading" role="status">
        Signing in…
      </p>
    );

  const pages = PAGES.filter((p) => p.for.includes(profile.level));
  const home = pages[0] ?? PAGES.find((p) => p.path === 'access-keys');
  const name = path.slice(BASE.length).split('/')[0] || home?.path;
  const page = pages.find((p) => p.path === name);
  if (!page && path !== `${BASE}callback`) queueMicrotask(() => navigate(`${BASE}${home?.path ?? ''}`));
  const View = page?.view ?? home?.view ?? AccessKeys;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: one delegated listener routes the real links below.
    // biome-ignore lint/a11y/useKeyWithClickEvents: links activate with Enter through the same click.
    <div class="shell" onClick={interceptLinks}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">cxauth console</span>
        <span class="who" title={profile.email}>
          <span class="sr-only">Signed in as </span>
          {profile.email}
        </span>
        <button type="button" class="secondary small" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {pages.map((p) => (
            <li key={p.path}>
              <a href={`${BASE}${p.path}`} aria-current={p === page ? 'page' : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        {profile.level === 'self' && (
          <p class="note" role="note">
            You are signed in without admin rights (you are not a tenant Administrator or a platform
            operator), so the console shows your own access keys, sessions, connected apps and passkeys only.
          </p>
        )}
        <View />
      </main>
    </div>
  );
}
