// Editing an application after registration: origins (CORS), redirect URIs, post-logout redirect
// URIs, and whether its tokens must be DPoP-bound (dpop_bound_access_tokens, RFC 9449). The form reads the application with its ETag and saves with If-Match, so a change
// someone made meanwhile is not overwritten: the API answers 412 and the form says so in words.
// A saved origin is allowed on every node at the next request (docs/admin-api.md).
import { useEffect, useState } from 'preact/hooks';
import { api, ifMatch, ok, tagged } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ErrorNote, lines, useAction, useLoad } from '../../components/ui.js';
import { Checks, REQUIRE_DPOP } from './RegisterForm.js';

export function EditForm(props: { clientId: string; onDone: (saved: boolean) => void }) {
  const path = { params: { path: { client_id: props.clientId } } };
  const app = useLoad(
    async () => tagged(await api.GET('/admin/v1/applications/{client_id}', path)),
    [props.clientId],
  );
  const [origins, setOrigins] = useState('');
  const [redirects, setRedirects] = useState('');
  const [logouts, setLogouts] = useState('');
  const [dpop, setDpop] = useState<string[]>([]);
  // The read whose values the fields hold: until then they are not shown, so nobody edits (or sees)
  // empty lists that the read would overwrite.
  const [filled, setFilled] = useState<typeof app.data>(undefined);
  const action = useAction();
  const a = app.data?.data;
  // The fields start from what was read (and again after "Reload").
  useEffect(() => {
    if (!a) return;
    setOrigins(a.origins.join('\n'));
    setRedirects(a.redirect_uris.join('\n'));
    setLogouts(a.post_logout_redirect_uris.join('\n'));
    setDpop(a.dpop_bound_access_tokens ? ['required'] : []);
    setFilled(app.data);
  }, [app.data]);
  const ready = a !== undefined && filled === app.data;

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      ok(
        await api.PATCH('/admin/v1/applications/{client_id}', {
          ...path,
          headers: ifMatch(app.data?.etag),
          // Only the lists this type uses (a backend signs nobody in at the hosted page).
          body: {
            origins: lines(origins),
            ...(a?.type === 'backend'
              ? {}
              : { redirect_uris: lines(redirects), post_logout_redirect_uris: lines(logouts) }),
            dpop_bound_access_tokens: dpop.length > 0,
          },
        }),
      );
      props.onDone(true);
    });
  };
  return (
    <form class="card" aria-label={`Edit ${a?.name ?? 'the application'}`} onSubmit={submit}>
      <h2>Edit {a ? a.name : 'the application'}</h2>
      {a && (
        <p class="intro">
          <code>{a.client_id}</code> · {a.type} · {a.tenancy === 'all' ? 'every tenant' : 'one tenant'}
        </p>
      )}
      <ErrorNote error={app.error ?? action.error} />
      {!ready && !app.error && <p aria-live="polite">Loading…</p>}
      {ready && (
        <Field id="edit-origins" label="Origins (CORS), one per line" error={action.fields['origins']}>
          {(c) => (
            <textarea {...c} rows={3} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
          )}
        </Field>
      )}
      {ready && a?.type !== 'backend' && (
        <>
          <Field
            id="edit-redirects"
            label="Redirect URIs, one per line"
            error={action.fields['redirect_uris']}
          >
            {(c) => (
              <textarea
                {...c}
                rows={3}
                value={redirects}
                onInput={(e) => setRedirects(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            id="edit-logouts"
            label="Post-logout redirect URIs, one per line"
            error={action.fields['post_logout_redirect_uris']}
          >
            {(c) => (
              <textarea {...c} rows={2} value={logouts} onInput={(e) => setLogouts(e.currentTarget.value)} />
            )}
          </Field>
        </>
      )}
      {ready && (
        <Checks
          legend="Sender-constrained tokens"
          name="edit-dpop"
          chosen={dpop}
          onChange={setDpop}
          error={action.fields['dpop_bound_access_tokens']}
          options={[{ value: 'required', label: REQUIRE_DPOP }]}
        />
      )}
      <div class="actions">
        <button type="submit" disabled={action.busy || !ready}>
          Save changes
        </button>
        <button type="button" class="secondary" onClick={() => void app.reload()}>
          Reload
        </button>
        <button type="button" class="secondary" onClick={() => props.onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
