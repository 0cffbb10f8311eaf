// Registering an application: its type first, then only the fields that type uses (docs/console.md,
// "Applications") — redirect URIs for apps that sign people in, origins for browser apps, the grants
// each type may have (a backend can be a client_credentials app of one tenant) and its scopes. The
// secret is shown once; the new app is in the list at once.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { Field } from '../../components/field.js';
import { ErrorNote, lines, SecretOnce, useAction, useLoad } from '../../components/ui.js';

type AppType = 'confidential' | 'public' | 'backend';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** What each type may do, as the service's rules say (docs/admin.md, "Applications"). */
const TYPES: Record<
  AppType,
  { label: string; grants: string[]; defaults: string[]; redirects: boolean; origins: boolean }
> = {
  confidential: {
    label: 'Confidential: a web app with a server that signs people in (has a secret)',
    grants: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
    defaults: ['authorization_code', 'refresh_token'],
    redirects: true,
    origins: false,
  },
  public: {
    label: 'Public: a browser or native app that signs people in (no secret, PKCE)',
    grants: ['authorization_code', 'refresh_token'],
    defaults: ['authorization_code', 'refresh_token'],
    redirects: true,
    origins: true,
  },
  backend: {
    label: 'Backend: server to server, with access keys or as itself (has a secret)',
    grants: ['password', 'client_credentials', 'refresh_token', TOKEN_EXCHANGE],
    defaults: ['password', 'refresh_token'],
    redirects: false,
    origins: false,
  },
};

const GRANT_WORDS: Record<string, string> = {
  authorization_code: 'Authorization code (people sign in at the hosted page)',
  refresh_token: 'Refresh tokens',
  password: 'Access keys (password grant)',
  client_credentials: 'Client credentials (the app as itself, for one tenant)',
  [TOKEN_EXCHANGE]: 'Token exchange (RFC 8693)',
};
const SCOPES = ['openid', 'profile', 'email', 'offline_access'];
/** The words of the DPoP checkbox, at registration and in the edit form. */
export const REQUIRE_DPOP = 'Require DPoP: refuse token requests without a proof (RFC 9449)';

/** Checkboxes of one name in a fieldset, with the field's error. */
export function Checks(props: {
  legend: string;
  name: string;
  options: { value: string; label: string; disabled?: boolean }[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
  error?: string | undefined;
}) {
  const errorId = `${props.name}-error`;
  return (
    <fieldset
      class={props.error ? 'checks invalid' : 'checks'}
      aria-describedby={props.error ? errorId : undefined}
    >
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label class="check" key={o.value}>
          <input
            type="checkbox"
            name={props.name}
            value={o.value}
            disabled={o.disabled}
            checked={props.chosen.includes(o.value)}
            aria-invalid={props.error ? 'true' : undefined}
            onChange={(e) =>
              props.onChange(
                e.currentTarget.checked
                  ? [...props.chosen, o.value]
                  : props.chosen.filter((v) => v !== o.value),
              )
            }
          />
          {o.label}
        </label>
      ))}
      {props.error && (
        <span class="field-error" id={errorId}>
          {props.error}
        </span>
      )}
    </fieldset>
  );
}

export function RegisterForm(props: { onCreated: () => void; onDone: () => void }) {
  const me = profile();
  const operator = me.level === 'operator';
  const tenants = useLoad(async () =>
    operator ? ok(await api.GET('/admin/v1/tenants', { params: { query: { limit: 200 } } })).items : [],
  );
  const [name, setName] = useState('');
  const [type, setType] = useState<AppType>('confidential');
  // '' : every tenant (operators only); otherwise the one tenant the app is bound to.
  const [tenant, setTenant] = useState(operator ? '' : me.tenantId);
  const [origins, setOrigins] = useState('');
  const [redirects, setRedirects] = useState('');
  const [logouts, setLogouts] = useState('');
  const [grants, setGrants] = useState<string[]>(TYPES.confidential.defaults);
  const [scopes, setScopes] = useState<string[]>(['openid', 'profile', 'email']);
  // RFC 9449: every token request must carry a DPoP proof (the tokens are bound to the client's key).
  const [dpop, setDpop] = useState<string[]>([]);
  const [secret, setSecret] = useState<{ id: string; value: string } | undefined>();
  const action = useAction();
  const rules = TYPES[type];
  const err = action.fields;

  const chooseType = (t: AppType) => {
    setType(t);
    setGrants(TYPES[t].defaults);
    action.clear();
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = ok(
        await api.POST('/admin/v1/applications', {
          body: {
            name,
            type,
            tenancy: tenant === '' ? 'all' : 'single',
            ...(tenant === '' ? {} : { tenantId: tenant }),
            ...(rules.origins ? { origins: lines(origins) } : {}),
            ...(rules.redirects
              ? { redirect_uris: lines(redirects), post_logout_redirect_uris: lines(logouts) }
              : {}),
            grant_types: grants.filter((g) => rules.grants.includes(g)),
            scopes,
            ...(dpop.length > 0 ? { dpop_bound_access_tokens: true } : {}),
          },
        }),
      );
      // In the list at once, whether or not there is a secret to copy first.
      props.onCreated();
      if (created.client_secret) setSecret({ id: created.client_id, value: created.client_secret });
      else props.onDone();
    });
  };

  if (secret) {
    return (
      <div class="card">
        <p>
          Registered <strong>{name}</strong>. Its client ID is <code>{secret.id}</code>.
        </p>
        <SecretOnce label="client secret" value={secret.value} onDone={props.onDone} />
      </div>
    );
  }
  const single = tenant !== '';
  return (
    <form onSubmit={submit} class="card wide" aria-label="Register an application" noValidate>
      <h2>Register an application</h2>
      <ErrorNote error={action.error} />
      <Field id="app-name" label="Name" error={err['name']}>
        {(c) => (
          <input
            {...c}
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <fieldset class="choice">
        <legend>Type</legend>
        {(Object.keys(TYPES) as AppType[]).map((t) => (
          <label class="check" key={t}>
            <input
              type="radio"
              name="app-type"
              value={t}
              checked={type === t}
              onChange={() => chooseType(t)}
            />
            {TYPES[t].label}
          </label>
        ))}
      </fieldset>
      {operator ? (
        <Field
          id="app-tenant"
          label="Tenant"
          error={err['tenantId'] ?? err['tenancy']}
          hint="An app for every tenant signs in the users of all of them; client credentials need one tenant."
        >
          {(c) => (
            <select
              {...c}
              value={tenant}
              onChange={(e) => {
                setTenant(e.currentTarget.value);
                if (e.currentTarget.value === '') setGrants(grants.filter((g) => g !== 'client_credentials'));
              }}
            >
              <option value="">Every tenant</option>
              {tenants.data?.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <p class="hint">It belongs to your tenant.</p>
      )}
      {rules.redirects && (
        <>
          <Field
            id="app-redirects"
            label="Redirect URIs, one per line"
            error={err['redirect_uris']}
            hint="Where the sign-in returns with a code: https, or http on 127.0.0.1 or localhost."
          >
            {(c) => (
              <textarea
                {...c}
                rows={2}
                value={redirects}
                onInput={(e) => setRedirects(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id="app-logouts"
            label="Post-logout redirect URIs, one per line"
            error={err['post_logout_redirect_uris']}
          >
            {(c) => (
              <textarea {...c} rows={2} value={logouts} onInput={(e) => setLogouts(e.currentTarget.value)} />
            )}
          </Field>
        </>
      )}
      {rules.origins && (
        <Field
          id="app-origins"
          label="Origins (CORS), one per line"
          error={err['origins']}
          hint="The browser origins that call the token endpoint: scheme://host[:port]."
        >
          {(c) => (
            <textarea {...c} rows={2} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
          )}
        </Field>
      )}
      <Checks
        legend="Grant types"
        name="grant"
        chosen={grants}
        onChange={setGrants}
        error={err['grant_types']}
        options={rules.grants.map((g) => ({
          value: g,
          label:
            g === 'client_credentials' && !single
              ? `${GRANT_WORDS[g]} — choose a tenant first`
              : (GRANT_WORDS[g] ?? g),
          disabled: g === 'client_credentials' && !single,
        }))}
      />
      <Checks
        legend="Scopes it may request"
        name="scope"
        chosen={scopes}
        onChange={setScopes}
        error={err['scopes']}
        options={SCOPES.map((s) => ({ value: s, label: s }))}
      />
      <Checks
        legend="Sender-constrained tokens"
        name="dpop"
        chosen={dpop}
        onChange={setDpop}
        error={err['dpop_bound_access_tokens']}
        options={[{ value: 'required', label: REQUIRE_DPOP }]}
      />
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
