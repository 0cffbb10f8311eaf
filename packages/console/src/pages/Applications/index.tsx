// Applications: the list, registration, editing the origins and redirect URIs, secret rotation (shown
// once; public applications have no secret), deactivating, activating and deleting — each destructive
// step confirmed in words. The console's own application offers none of them: switched off from
// here, nobody could sign in to switch it on again (the API refuses it too).
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { CLIENT_ID } from '../../auth/session.js';
import { useConfirm } from '../../components/confirm.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, SecretOnce, useAction, useLoad } from '../../components/ui.js';
import { EditForm } from './EditForm.js';
import { RegisterForm } from './RegisterForm.js';

const TYPE_WORDS = { confidential: 'confidential', public: 'public', backend: 'backend' } as const;

export function Applications() {
  const list = useLoad(
    async () => ok(await api.GET('/admin/v1/applications', { params: { query: { limit: 200 } } })).items,
  );
  const [registering, setRegistering] = useState(false);
  const [editing, setEditing] = useState<string | undefined>();
  const [saved, setSaved] = useState('');
  const [rotated, setRotated] = useState<{ name: string; value: string } | undefined>();
  const action = useAction();
  const { confirm, dialog } = useConfirm();

  const rotate = async (id: string, name: string) => {
    const yes = await confirm({
      title: `Rotate the secret of '${name}'?`,
      body: (
        <p>
          A new secret is shown once. The current one keeps working only for the configured overlap, so every
          instance of the app must get the new one before it ends.
        </p>
      ),
      action: 'Rotate secret',
    });
    if (!yes) return;
    await action.run(async () => {
      const r = ok(
        await api.POST('/admin/v1/applications/{client_id}/secret', { params: { path: { client_id: id } } }),
      );
      setRotated({ name, value: r.client_secret });
      setSaved('');
    });
  };
  const setActive = async (id: string, name: string, active: boolean) => {
    if (!active) {
      const yes = await confirm({
        title: `Deactivate application '${name}'?`,
        body: (
          <p>
            Its sessions end and it can no longer sign anyone in or get tokens until it is activated again.
          </p>
        ),
        action: 'Deactivate application',
      });
      if (!yes) return;
    }
    await action.run(async () => {
      ok(
        await api.PATCH('/admin/v1/applications/{client_id}', {
          params: { path: { client_id: id } },
          body: { active },
        }),
      );
      setSaved(active ? `Activated ${name}.` : `Deactivated ${name}: its sessions have ended.`);
      await list.reload();
    });
  };
  const remove = async (id: string, name: string) => {
    const yes = await confirm({
      title: `Delete application '${name}'?`,
      body: (
        <p>
          Its sessions end, its client ID and secret stop working at once, and it cannot be brought back:
          registering it again gives a new client ID.
        </p>
      ),
      action: 'Delete application',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(await api.DELETE('/admin/v1/applications/{client_id}', { params: { path: { client_id: id } } }));
      setSaved(`Deleted ${name}.`);
      await list.reload();
    });
  };

  return (
    <Page
      title="Applications"
      intro="The OAuth clients that may obtain tokens: register one, edit its origins and redirect URIs, rotate its secret, switch it off."
    >
      {dialog}
      {editing && (
        <EditForm
          key={editing}
          clientId={editing}
          onDone={(ok) => {
            setSaved(ok ? 'Saved. The change holds on every node at once.' : '');
            setEditing(undefined);
            void list.reload();
          }}
        />
      )}
      <p role="status">{saved}</p>
      {registering ? (
        <RegisterForm onCreated={() => void list.reload()} onDone={() => setRegistering(false)} />
      ) : (
        <button type="button" onClick={() => setRegistering(true)}>
          Register an application
        </button>
      )}
      {rotated && (
        <SecretOnce label="new client secret" value={rotated.value} onDone={() => setRotated(undefined)} />
      )}
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 && (
        <Empty>
          No applications yet. Register one to get a client ID (and a secret, unless it is public).
        </Empty>
      )}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Registered applications"
          rows={list.data}
          rowKey={(a) => a.client_id}
          columns={[
            {
              label: 'Name',
              // One element: at phone widths a cell is a two-column grid (label, value).
              cell: (a) => (
                <div>
                  <span class="app-name">{a.name}</span>
                  {a.client_id === CLIENT_ID && <span class="badge">this console</span>}
                  <code class="client-id" title="client ID">
                    {a.client_id}
                  </code>
                </div>
              ),
            },
            {
              label: 'Type',
              cell: (a) => `${TYPE_WORDS[a.type]} · ${a.tenancy === 'all' ? 'every tenant' : 'one tenant'}`,
            },
            {
              label: 'Grants',
              cell: (a) => a.grant_types.map((g) => g.replace(/^urn:.*:/, '')).join(', ') || '—',
            },
            { label: 'Origins', cell: (a) => a.origins.join(', ') || '—' },
            { label: 'Status', cell: (a) => <span class={`status ${a.status}`}>{a.status}</span> },
            {
              label: 'Actions',
              cell: (a) => (
                <div class="row-actions">
                  <button
                    type="button"
                    class="secondary small"
                    onClick={() => {
                      setSaved('');
                      setEditing(a.client_id);
                    }}
                  >
                    Edit<span class="sr-only"> {a.name}</span>
                  </button>
                  {a.type !== 'public' && (
                    <button
                      type="button"
                      class="secondary small"
                      onClick={() => void rotate(a.client_id, a.name)}
                    >
                      Rotate secret<span class="sr-only"> of {a.name}</span>
                    </button>
                  )}
                  {a.client_id !== CLIENT_ID &&
                    (a.status === 'active' ? (
                      <button
                        type="button"
                        class="danger-outline small"
                        onClick={() => void setActive(a.client_id, a.name, false)}
                      >
                        Deactivate<span class="sr-only"> {a.name}</span>
                      </button>
                    ) : (
                      <button
                        type="button"
                        class="secondary small"
                        onClick={() => void setActive(a.client_id, a.name, true)}
                      >
                        Activate<span class="sr-only"> {a.name}</span>
                      </button>
                    ))}
                  {a.client_id !== CLIENT_ID && (
                    <button
                      type="button"
                      class="danger-outline small"
                      onClick={() => void remove(a.client_id, a.name)}
                    >
                      Delete<span class="sr-only"> {a.name}</span>
                    </button>
                  )}
                </div>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
