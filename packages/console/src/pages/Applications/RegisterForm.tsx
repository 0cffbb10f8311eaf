// Registering an application: name, type, tenancy, origins and redirect URIs; the secret is shown once.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { ErrorNote, lines, SecretOnce, useAction } from '../../components/ui.js';

type AppType = 'confidential' | 'public' | 'backend';

export function RegisterForm(props: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<AppType>('backend');
  // Applications for every tenant are the platform operators' (the API refuses them to others).
  const operator = profile().level === 'operator';
  const [tenancy, setTenancy] = useState<'all' | 'single'>(operator ? 'all' : 'single');
  const [origins, setOrigins] = useState('');
  const [redirects, setRedirects] = useState('');
  const [logouts, setLogouts] = useState('');
  const [secret, setSecret] = useState<{ id: string; value: string } | undefined>();
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = ok(
        await api.POST('/admin/v1/applications', {
          body: {
            name,
            type,
            tenancy,
            ...(tenancy === 'single' ? { tenantId: profile().tenantId } : {}),
            origins: lines(origins),
            redirect_uris: lines(redirects),
            post_logout_redirect_uris: lines(logouts),
          },
        }),
      );
      if (created.client_secret) setSecret({ id: created.client_id, value: created.client_secret });
      else props.onDone();
    });
  };

  if (secret) {
    return (
      <div>
        <p>
          Registered. Its client ID is <code>{secret.id}</code>.
        </p>
        <SecretOnce label="client secret" value={secret.value} onDone={props.onDone} />
      </div>
    );
  }
  return (
    <form onSubmit={submit} class="card" aria-label="Register an application">
      <h2>Register an application</h2>
      <label>
        Name
        <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Type
        <select value={type} onChange={(e) => setType(e.currentTarget.value as AppType)}>
          <option value="backend">backend (server to server, access keys)</option>
          <option value="confidential">confidential (signs users in, has a secret)</option>
          <option value="public">public (browser or native app, no secret)</option>
        </select>
      </label>
      <label>
        Tenancy
        <select value={tenancy} onChange={(e) => setTenancy(e.currentTarget.value as 'all' | 'single')}>
          {operator && <option value="all">every tenant</option>}
          <option value="single">my tenant only</option>
        </select>
      </label>
      <label>
        Origins (CORS), one per line
        <textarea rows={2} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
      </label>
      <label>
        Redirect URIs, one per line
        <textarea rows={2} value={redirects} onInput={(e) => setRedirects(e.currentTarget.value)} />
      </label>
      <label>
        Post-logout redirect URIs, one per line
        <textarea rows={2} value={logouts} onInput={(e) => setLogouts(e.currentTarget.value)} />
      </label>
      <ErrorNote error={action.error} />
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          Register
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
