// A tenant's switches, for its Administrators and the operators: access-key self-service, SSO
// required, and verified e-mail addresses required at sign-in (docs/people.md). The change sends the
// ETag read with the tenant (If-Match), so two people editing at once cannot overwrite each other unseen.
import { useEffect, useState } from 'preact/hooks';
import { api, ifMatch, ok, tagged } from '../../api/client.js';
import { ErrorNote, TenantPicker, useAction, useLoad } from '../../components/ui.js';

type Switch = 'access_key_self_service' | 'sso_required' | 'email_verification_required';

const SWITCHES: readonly { name: Switch; label: string; hint: string }[] = [
  {
    name: 'access_key_self_service',
    label: 'Users may create access keys for themselves',
    hint: 'Administrators and operators always may.',
  },
  {
    name: 'sso_required',
    label: 'Require sign-in through the identity providers',
    hint: 'People of the domains its identity providers claim cannot use a password.',
  },
  {
    name: 'email_verification_required',
    label: 'Require a verified e-mail address at sign-in',
    hint: 'A person whose address is not verified is mailed a link, and gets into an app once they followed it.',
  },
];

export function TenantSettings(props: {
  tenants: readonly { id: string; name: string }[] | undefined;
  onSaved: () => void;
}) {
  const [chosen, setChosen] = useState('');
  const id = chosen || props.tenants?.[0]?.id || '';
  const tenant = useLoad(
    async () =>
      id ? tagged(await api.GET('/admin/v1/tenants/{id}', { params: { path: { id } } })) : undefined,
    [id],
  );
  const [values, setValues] = useState<Record<Switch, boolean> | undefined>();
  const [done, setDone] = useState('');
  const action = useAction();
  const t = tenant.data?.data;
  useEffect(() => {
    if (t) {
      setValues({
        access_key_self_service: t.access_key_self_service,
        sso_required: t.sso_required,
        email_verification_required: t.email_verification_required,
      });
    }
  }, [t]);
  const submit = (e: Event) => {
    e.preventDefault();
    if (!t || !values) return;
    const body = Object.fromEntries(
      SWITCHES.filter((s) => values[s.name] !== t[s.name]).map((s) => [s.name, values[s.name]]),
    );
    if (Object.keys(body).length === 0) {
      setDone('Nothing changed.');
      return;
    }
    void action.run(async () => {
      ok(
        await api.PATCH('/admin/v1/tenants/{id}', {
          params: { path: { id } },
          body,
          headers: ifMatch(tenant.data?.etag),
        }),
      );
      setDone(`Saved the settings of ${t.name}.`);
      await tenant.reload();
      props.onSaved();
    });
  };
  if (!props.tenants?.length) return null;
  return (
    <form class="card" aria-label="Tenant settings" onSubmit={submit}>
      <h2>Tenant settings</h2>
      <TenantPicker tenants={props.tenants} value={id} onChange={setChosen} />
      <ErrorNote error={tenant.error ?? action.error} />
      {values && (
        <fieldset class="checks">
          <legend>{t?.name}</legend>
          {SWITCHES.map((s) => (
            <label class="check" key={s.name}>
              <input
                type="checkbox"
                name={s.name}
                checked={values[s.name]}
                onChange={(e) => setValues({ ...values, [s.name]: e.currentTarget.checked })}
              />
              {s.label}
              <span class="hint"> {s.hint}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div class="actions">
        <button type="submit" disabled={action.busy || !values}>
          Save settings
        </button>
        <span role="status">{done}</span>
      </div>
    </form>
  );
}
