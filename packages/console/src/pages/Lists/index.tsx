// Signing keys (operators), sessions (everyone their own; Administrators their tenant's) and the audit
// log. Each is a list through the admin API with its one action where the API offers it.
import { api, ok } from '../../api/client.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useAction, useLoad, when } from '../../components/ui.js';

export function SigningKeys() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/signing-keys', {})).items);
  const action = useAction();
  const rotate = () =>
    action.run(async () => {
      ok(await api.POST('/admin/v1/signing-keys/rotate', {}));
      await list.reload();
    });
  return (
    <Page title="Signing keys">
      <button type="button" onClick={() => void rotate()}>
        Rotate the signing key
      </button>
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 && <Empty>No signing keys yet; the service creates one at start.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Signing keys"
          rows={list.data}
          rowKey={(k) => k.kid}
          columns={[
            { label: 'Key ID', cell: (k) => <code>{k.kid}</code> },
            { label: 'Algorithm', cell: (k) => k.alg },
            { label: 'State', cell: (k) => k.state },
            { label: 'Signs from', cell: (k) => when(k.signFrom) },
            { label: 'Created', cell: (k) => when(k.createdAt) },
          ]}
        />
      )}
    </Page>
  );
}

export function Sessions() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/sessions', {})).items);
  const action = useAction();
  const end = (id: string) =>
    action.run(async () => {
      ok(await api.DELETE('/admin/v1/sessions/{id}', { params: { path: { id } } }));
      await list.reload();
    });
  return (
    <Page
      title="Sessions"
      intro="Every sign-in or grant is a session; ending one refuses its tokens at once."
    >
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 && <Empty>No sessions. A sign-in or a token grant starts one.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Sessions"
          rows={list.data}
          rowKey={(s) => s.id}
          columns={[
            { label: 'Application', cell: (s) => <code>{s.client_id}</code> },
            { label: 'Scope', cell: (s) => s.scope },
            { label: 'Started', cell: (s) => when(s.createdAt) },
            { label: 'Status', cell: (s) => (s.active ? 'active' : 'ended') },
            {
              label: 'Actions',
              cell: (s) =>
                s.active ? (
                  <button type="button" class="secondary" onClick={() => void end(s.id)}>
                    End session<span class="sr-only"> {s.id.slice(0, 8)}</span>
                  </button>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      )}
    </Page>
  );
}

export function Audit() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/audit-events', {})).items);
  return (
    <Page title="Audit log">
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Empty>No audit events yet. Sign-ins and changes are recorded here.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Audit events, newest first"
          rows={list.data}
          rowKey={(e) => e.id}
          columns={[
            { label: 'When', cell: (e) => when(e.at) },
            { label: 'Event', cell: (e) => e.type },
            { label: 'Actor', cell: (e) => (e.actor ? <code>{e.actor}</code> : '—') },
            { label: 'Subject', cell: (e) => (e.subject ? <code>{e.subject}</code> : '—') },
          ]}
        />
      )}
    </Page>
  );
}
