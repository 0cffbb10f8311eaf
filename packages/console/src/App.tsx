// The console's frame: sign-in on arrival, the navigation, and the page of the current path.
import { useEffect, useState } from 'preact/hooks';
import { completeSignIn, me, onChange, signIn, signOut } from './auth/session.js';
import { Page } from './components/ui.js';
import { AccessKeys } from './pages/AccessKeys/index.js';
import { Applications } from './pages/Applications/index.js';
import { Areas, Audit, Sessions, SigningKeys, Tenants, Users } from './pages/Lists/index.js';
import { BASE, interceptLinks, navigate, usePath } from './router.js';

const PAGES = [
  { path: 'applications', label: 'Applications', view: Applications },
  { path: 'access-keys', label: 'Access keys', view: AccessKeys },
  { path: 'users', label: 'Users', view: Users },
  { path: 'sessions', label: 'Sessions', view: Sessions },
  { path: 'tenants', label: 'Tenants', view: Tenants },
  { path: 'areas', label: 'Areas', view: Areas },
  { path: 'signing-keys', label: 'Signing keys', view: SigningKeys },
  { path: 'audit', label: 'Audit log', view: Audit },
] as const;

export function App() {
  const path = usePath();
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => onChange(() => setTick((t) => t + 1)), []);

  useEffect(() => {
    if (path === `${BASE}callback`) {
      completeSignIn(new URLSearchParams(window.location.search))
        .then((to) => window.history.replaceState(null, '', to))
        .then(() => window.dispatchEvent(new PopStateEvent('popstate')))
        .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
    } else if (!me()) {
      void signIn(path + window.location.search);
    }
  }, [path]);

  const user = me();
  if (error) {
    return (
      <main id="main">
        <Page title="Sign-in failed">
          <p role="alert">{error}</p>
          <button type="button" onClick={() => void signIn(BASE)}>
            Sign in again
          </button>
        </Page>
      </main>
    );
  }
  if (!user)
    return (
      <p class="loading" role="status">
        Signing in…
      </p>
    );

  const name = path.slice(BASE.length).split('/')[0] || 'applications';
  const page = PAGES.find((p) => p.path === name);
  if (!page && path !== `${BASE}callback`) queueMicrotask(() => navigate(BASE));
  const View = page?.view ?? Applications;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: one delegated listener routes the real links below.
    // biome-ignore lint/a11y/useKeyWithClickEvents: links activate with Enter through the same click.
    <div class="shell" onClick={interceptLinks}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span class="brand">cxauth console</span>
        <span class="who">{user.email || user.userId}</span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Console">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={`${BASE}${p.path}`} aria-current={p === page ? 'page' : undefined}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        <View />
      </main>
    </div>
  );
}
