// The operators' forms: create a tenant (in an existing area) and create an area.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import { Field } from '../../components/field.js';
import { ErrorNote, useAction, useLoad } from '../../components/ui.js';

type Tenant = components['schemas']['Tenant'];

/** A whole number of characters, or null for the service's default (an empty field). */
const lengthOf = (raw: string): number | null => (raw.trim() === '' ? null : Number(raw));

/**
 * A tenant's password policy (NIST SP 800-63B §5.1.1.2): its shortest password, 8 to 64 characters;
 * empty, the service's default. The list of common passwords applies to every tenant.
 */
export function PasswordPolicy(props: { tenants: readonly Tenant[]; onSaved: () => void }) {
  const [tenantId, setTenantId] = useState('');
  const tenant = props.tenants.find((t) => t.id === tenantId) ?? props.tenants[0];
  const [length, setLength] = useState<string | undefined>();
  const [done, setDone] = useState('');
  const action = useAction();
  const shown = length ?? (tenant?.password_min_length == null ? '' : String(tenant.password_min_length));
  const submit = (e: Event) => {
    e.preventDefault();
    if (!tenant) return;
    setDone('');
    void action.run(async () => {
      const t = ok(
        await api.PATCH('/admin/v1/tenants/{id}', {
          params: { path: { id: tenant.id } },
          body: { password_min_length: lengthOf(shown) },
        }),
      );
      setDone(
        `Saved: ${t.name} asks for ${t.password_min_length === null ? "the service's default" : `${t.password_min_length} characters`}.`,
      );
      setLength(undefined);
      props.onSaved();
    });
  };
  return (
    <form class="card" aria-label="Password policy" onSubmit={submit}>
      <h2>Password policy</h2>
      {props.tenants.length > 1 && (
        <label>
          Tenant
          <select
            value={tenant?.id ?? ''}
            onChange={(e) => {
              setTenantId(e.currentTarget.value);
              setLength(undefined);
            }}
          >
            {props.tenants.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <Field
        id="password-min-length"
        label="Shortest password (characters)"
        error={action.fields['password_min_length']}
        hint="8 to 64; empty: the service's default. Common and breached passwords are always refused, and there are no composition rules."
      >
        {(c) => (
          <input
            {...c}
            type="number"
            min={8}
            max={64}
            value={shown}
            onInput={(e) => setLength(e.currentTarget.value)}
          />
        )}
      </Field>
      <ErrorNote error={action.error} />
      <div class="actions">
        <button type="submit" disabled={action.busy || !tenant}>
          Save policy
        </button>
        <span role="status">{done}</span>
      </div>
    </form>
  );
}

export function CreateTenant(props: { onCreated: () => void }) {
  const areas = useLoad(async () => ok(await api.GET('/admin/v1/areas', {})).items);
  const [name, setName] = useState('');
  const [area, setArea] = useState('');
  const [minLength, setMinLength] = useState('');
  const [done, setDone] = useState('');
  const action = useAction();
  const chosen = area || areas.data?.[0]?.name || '';
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const shortest = lengthOf(minLength);
      const t = ok(
        await api.POST('/admin/v1/tenants', {
          body: { name, area: chosen, ...(shortest === null ? {} : { password_min_length: shortest }) },
        }),
      );
      setDone(`Created the tenant ${t.name} (${t.id}).`);
      setName('');
      setMinLength('');
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
      <label>
        Shortest password (optional, 8 to 64 characters)
        <input
          type="number"
          min={8}
          max={64}
          value={minLength}
          onInput={(e) => setMinLength(e.currentTarget.value)}
        />
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
