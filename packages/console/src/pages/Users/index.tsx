// Users of the tenant (Administrators; operators pick the tenant): create one, and manage one — its
// role, whether it is active, its password and its TOTP enrolment — in the panel below the list.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, TenantPicker, useLoad } from '../../components/ui.js';
import { CreateUserForm } from './CreateUserForm.js';
import { UserPanel } from './UserPanel.js';

export function Users() {
  const me = profile();
  const operator = me.level === 'operator';
  const [tenantId, setTenantId] = useState(me.tenantId);
  const tenants = useLoad(async () =>
    operator ? ok(await api.GET('/admin/v1/tenants', { params: { query: { limit: 200 } } })).items : [],
  );
  const list = useLoad(
    async () =>
      ok(
        await api.GET('/admin/v1/tenants/{id}/users', {
          params: { path: { id: tenantId }, query: { limit: 200 } },
        }),
      ).items,
    [tenantId],
  );
  const [creating, setCreating] = useState(false);
  const [selected, setSelected] = useState<string | undefined>();
  return (
    <Page
      title="Users"
      intro={
        operator
          ? 'The people of each tenant: who they are, their role, how they sign in.'
          : 'The people of your tenant: who they are, their role, how they sign in.'
      }
    >
      {operator && (tenants.data?.length ?? 0) > 1 && (
        <div class="filters">
          <TenantPicker
            tenants={tenants.data}
            value={tenantId}
            mine={me.tenantId}
            onChange={(id) => {
              setTenantId(id);
              setSelected(undefined);
              setCreating(false);
            }}
          />
        </div>
      )}
      {creating ? (
        <CreateUserForm
          tenantId={tenantId}
          onDone={(id) => {
            setCreating(false);
            if (id) setSelected(id);
            void list.reload();
          }}
        />
      ) : (
        <button type="button" onClick={() => setCreating(true)}>
          Create a user
        </button>
      )}
      {selected && (
        <UserPanel
          key={selected}
          id={selected}
          onChanged={() => void list.reload()}
          onClose={() => setSelected(undefined)}
        />
      )}
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Empty>No users yet. Create one to give someone a sign-in.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption={`Users of ${tenants.data?.find((t) => t.id === tenantId)?.name ?? 'the tenant'}`}
          rows={list.data}
          rowKey={(u) => u.id}
          columns={[
            { label: 'E-mail', cell: (u) => u.email },
            { label: 'Name', cell: (u) => [u.given_name, u.family_name].filter(Boolean).join(' ') || '—' },
            { label: 'Role', cell: (u) => `${u.role.legacyId}${u.operator ? ' · operator' : ''}` },
            { label: 'Status', cell: (u) => u.status },
            {
              label: 'Actions',
              cell: (u) => (
                <button
                  type="button"
                  class="secondary small"
                  aria-pressed={selected === u.id}
                  onClick={() => setSelected(u.id)}
                >
                  Manage<span class="sr-only"> {u.email}</span>
                </button>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
