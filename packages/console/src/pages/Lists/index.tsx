// The operator and audit pages: tenants, areas, signing keys, sessions, the audit log, and the
// tenant's users. Each is a list through the admin API with its one action where the API offers it.
import { api, ok } from '../../api/client.js';
import { me } from '../../auth/session.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useAction, useLoad, when } from '../../components/ui.js';

export function Users() {
  const tenantId = me()?.tenantId ?? '';
  const list = useLoad(
    async () =>
      ok(await api.GET('/admin/v1/tenants/{id}/users', { params: { path: { id: tenantId } } })).items,
  );
  const action = useAction();
  const setStatus = (id: string, status: 'active' | 'inactive') =>
    action.run(async () => {
      ok(await api.PATCH('/admin/v1/users/{id}', { params: { path: { id } }, body: { status } }));
      await list.reload();
    });
  return (
    <Page title="Users" intro="The people of your tenant.">
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 && <Empty>No users yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Users of the tenant"
          rows={list.data}
          rowKey={(u) => u.id}
          columns={[
            { label: 'E-mail', cell: (u) => u.email },
            { label: 'Name', cell: (u) => [u.given_name, u.family_name].filter(Boolean).join(' ') || '—' },
            { label: 'Role', cell: (u) => u.role?.legacyId ?? '—' },
            {
              label: 'Actions',
              cell: (u) => (
                <button type="button" class="secondary" onClick={() => void setStatus(u.id, 'inactive')}>
                  Deactivate<span class="sr-only"> {u.email}</span>
                </button>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}

export function Tenants() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/tenants', {})).items);
  return (
    <Page title="Tenants">
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Empty>No tenants.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Tenants"
          rows={list.data}
          rowKey={(t) => t.id}
          columns={[
            { label: 'Name', cell: (t) => t.name },
            { label: 'Area', cell: (t) => t.area },
            { label: 'Cluster', cell: (t) => t.cluster },
            { label: 'Status', cell: (t) => t.status },
          ]}
        />
      )}
    </Page>
  );
}

export function Areas() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/areas', {})).items);
  return (
    <Page title="Areas">
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Empty>No areas.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Areas"
          rows={list.data}
          rowKey={(a) => a.name}
          columns={[
            { label: 'Name', cell: (a) => a.name },
            { label: 'API', cell: (a) => a.api_endpoint },
            { label: 'Auth', cell: (a) => a.auth_endpoint },
          ]}
        />
      )}
    </Page>
  );
}

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
      {list.data?.length === 0 && <Empty>No signing keys.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Signing keys"
          rows={list.data}
          rowKey={(k) => k.kid}
          columns={[
            { label: 'Key ID', cell: (k) => <code>{k.kid}</code> },
            { label: 'Algorithm', cell: (k) => k.alg },
            { label: 'Status', cell: (k) => k.status },
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
      {list.data?.length === 0 && <Empty>No sessions.</Empty>}
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
      {list.data?.length === 0 && <Empty>No audit events.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Audit events, newest first"
          rows={list.data}
          rowKey={(e) => e.id}
          columns={[
            { label: 'When', cell: (e) => when(e.at) },
            { label: 'Action', cell: (e) => e.action },
            { label: 'Actor', cell: (e) => e.actor ?? '—' },
          ]}
        />
      )}
    </Page>
  );
}
