// Applications: the list, registration, editing the origins and redirect URIs, secret rotation (shown
// once; public applications have no secret), enabling and disabling.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, SecretOnce, useAction, useLoad } from '../../components/ui.js';
import { EditForm } from './EditForm.js';
import { RegisterForm } from './RegisterForm.js';

export function Applications() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/applications', {})).items);
  const [registering, setRegistering] = useState(false);
  const [editing, setEditing] = useState<string | undefined>();
  const [saved, setSaved] = useState('');
  const [rotated, setRotated] = useState<{ id: string; value: string } | undefined>();
  const action = useAction();

  const rotate = (id: string) =>
    action.run(async () => {
      const r = ok(
        await api.POST('/admin/v1/applications/{client_id}/secret', { params: { path: { client_id: id } } }),
      );
      setRotated({ id, value: r.client_secret });
      setSaved('');
    });
  const setActive = (id: string, active: boolean) =>
    action.run(async () => {
      ok(
        await api.PATCH('/admin/v1/applications/{client_id}', {
          params: { path: { client_id: id } },
          body: { active },
        }),
      );
      await list.reload();
    });

  return (
    <Page
      title="Applications"
      intro="The OAuth clients that may obtain tokens: register one, edit its origins and redirect URIs, rotate its secret, switch it off."
    >
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
        <RegisterForm
          onDone={() => {
            setRegistering(false);
            void list.reload();
          }}
        />
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
            { label: 'Name', cell: (a) => a.name },
            { label: 'Client ID', cell: (a) => <code>{a.client_id}</code> },
            { label: 'Type', cell: (a) => a.type },
            { label: 'Tenancy', cell: (a) => (a.tenancy === 'all' ? 'every tenant' : 'one tenant') },
            { label: 'Origins', cell: (a) => a.origins.join(', ') || '—' },
            { label: 'Status', cell: (a) => a.status },
            {
              label: 'Actions',
              cell: (a) => (
                <div class="actions">
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      setSaved('');
                      setEditing(a.client_id);
                    }}
                  >
                    Edit<span class="sr-only"> {a.name}</span>
                  </button>
                  {a.type !== 'public' && (
                    <button type="button" class="secondary" onClick={() => void rotate(a.client_id)}>
                      Rotate secret<span class="sr-only"> of {a.name}</span>
                    </button>
                  )}
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => void setActive(a.client_id, a.status !== 'active')}
                  >
                    {a.status === 'active' ? 'Disable' : 'Enable'}
                    <span class="sr-only"> {a.name}</span>
                  </button>
                </div>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
