// The operators' forms: create a tenant (in an existing area) and create an area.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { ErrorNote, useAction, useLoad } from '../../components/ui.js';

export function CreateTenant(props: { onCreated: () => void }) {
  const areas = useLoad(async () => ok(await api.GET('/admin/v1/areas', {})).items);
  const [name, setName] = useState('');
  const [area, setArea] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();
  const chosen = area || areas.data?.[0]?.name || '';
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const t = ok(await api.POST('/admin/v1/tenants', { body: { name, area: chosen } }));
      setDone(`Created the tenant ${t.name} (${t.id}).`);
      setName('');
      props.onCreated();
    });
  };
  return (
    <form class="card" aria-label="Create a tenant" onSubmit={submit}>
      <h2>Create a tenant</h2>
      <label>
        Tenant name
        <input required maxLength={64} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Area
        <select required value={chosen} onChange={(e) => setArea(e.currentTarget.value)}>
          {areas.data?.map((a) => (
            <option key={a.name} value={a.name}>
              {a.name}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={action.error ?? areas.error} />
      <div class="actions">
        <button type="submit" disabled={action.busy || !chosen}>
          Create tenant
        </button>
        <span role="status">{done}</span>
      </div>
    </form>
  );
}

export function CreateArea(props: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [apiEndpoint, setApi] = useState('');
  const [authEndpoint, setAuth] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const a = ok(
        await api.POST('/admin/v1/areas', {
          body: {
            name,
            api_endpoint: apiEndpoint,
            ...(authEndpoint ? { auth_endpoint: authEndpoint } : {}),
          },
        }),
      );
      setDone(`Saved the area ${a.name}.`);
      setName('');
      setApi('');
      setAuth('');
      props.onCreated();
    });
  };
  return (
    <form class="card" aria-label="Create or update an area" onSubmit={submit}>
      <h2>Create or update an area</h2>
      <p class="hint">An existing name gets the endpoints given here.</p>
      <label>
        Area name
        <input required maxLength={32} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        API endpoint
        <input
          required
          type="url"
          placeholder="https://api.eu.example.com"
          value={apiEndpoint}
          onInput={(e) => setApi(e.currentTarget.value)}
        />
      </label>
      <label>
        Auth endpoint (optional)
        <input type="url" value={authEndpoint} onInput={(e) => setAuth(e.currentTarget.value)} />
      </label>
      <ErrorNote error={action.error} />
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          Save area
        </button>
        <span role="status">{done}</span>
      </div>
    </form>
  );
}
