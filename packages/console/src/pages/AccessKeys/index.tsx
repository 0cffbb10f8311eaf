// Access keys: one's own, or (for a tenant's Administrator) any user's of the tenant: generate (the
// secret shown once), list with last use, deactivate.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, SecretOnce, useAction, useLoad, when } from '../../components/ui.js';

export function AccessKeys() {
  const self = profile();
  const [userId, setUserId] = useState(self.userId);
  // Only Administrators may list the tenant's users; everyone else manages their own keys.
  const users = useLoad(async () => {
    if (self.level === 'self') return [];
    const r = await api.GET('/admin/v1/tenants/{id}/users', { params: { path: { id: self.tenantId } } });
    return r.response.ok && r.data ? r.data.items : [];
  });
  const keys = useLoad(
    async () =>
      ok(await api.GET('/admin/v1/users/{id}/access-keys', { params: { path: { id: userId } } })).items,
    [userId],
  );
  const [created, setCreated] = useState<{ id: string; secret: string } | undefined>();
  const action = useAction();

  const generate = () =>
    action.run(async () => {
      const k = ok(await api.POST('/admin/v1/users/{id}/access-keys', { params: { path: { id: userId } } }));
      setCreated({ id: k.accessKeyId, secret: k.accessKeySecret });
      await keys.reload();
    });
  const { confirm, dialog } = useConfirm();
  const deactivate = async (id: string) => {
    const yes = await confirm({
      title: `Deactivate access key ${id.slice(0, 8)}…?`,
      body: (
        <p>
          Its sessions end at once and it can never sign in again; a deactivated key stays off. Generate a new
          key for whatever used it.
        </p>
      ),
      action: 'Deactivate access key',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(
        await api.PATCH('/admin/v1/access-keys/{accessKeyId}', {
          params: { path: { accessKeyId: id } },
          body: { active: false },
        }),
      );
      await keys.reload();
    });
  };

  return (
    <Page
      title="Access keys"
      intro="An access key signs a user in from a backend (the password grant). Its secret is shown once."
    >
      {dialog}
      {(users.data?.length ?? 0) > 1 && (
        <label>
          Whose keys
          <select value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
            {users.data?.map((u) => (
              <option value={u.id} key={u.id}>
                {u.email}
                {u.id === self.userId ? ' (you)' : ''}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" onClick={() => void generate()} disabled={action.busy}>
        Generate an access key
      </button>
      {created && (
        <div>
          <p>
            New access key ID: <code>{created.id}</code>
          </p>
          <SecretOnce label="access key secret" value={created.secret} onDone={() => setCreated(undefined)} />
        </div>
      )}
      <ErrorNote error={keys.error ?? action.error} />
      {keys.data?.length === 0 && <Empty>No access keys yet. Generate one to sign in from a backend.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <Table
          caption="Access keys"
          rows={keys.data}
          rowKey={(k) => k.accessKeyId}
          columns={[
            { label: 'Access key ID', cell: (k) => <code>{k.accessKeyId}</code> },
            { label: 'Status', cell: (k) => k.status },
            { label: 'Created', cell: (k) => when(k.createdAt) },
            { label: 'Last used', cell: (k) => when(k.lastUsedAt) },
            {
              label: 'Actions',
              cell: (k) =>
                k.active ? (
                  <button
                    type="button"
                    class="danger-outline small"
                    onClick={() => void deactivate(k.accessKeyId)}
                  >
                    Deactivate<span class="sr-only"> key {k.accessKeyId.slice(0, 8)}</span>
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
