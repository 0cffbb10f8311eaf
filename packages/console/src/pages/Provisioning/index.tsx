// SCIM provisioning (docs/scim.md): a tenant's SCIM base URL and its SCIM tokens: create one (the token
// shown once), list them, revoke one at once. Operators pick the tenant; Administrators see their own.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { Table } from '../../components/table.js';
import {
  Empty,
  ErrorNote,
  Page,
  SecretOnce,
  TenantPicker,
  useAction,
  useLoad,
  when,
} from '../../components/ui.js';

export function Provisioning() {
  const self = profile();
  const [tenantId, setTenantId] = useState(self.tenantId);
  const tenants = useLoad(async () => {
    if (self.level !== 'operator') return [];
    return ok(await api.GET('/admin/v1/tenants')).items;
  });
  const tokens = useLoad(
    async () =>
      ok(await api.GET('/admin/v1/tenants/{id}/scim-tokens', { params: { path: { id: tenantId } } })).items,
    [tenantId],
  );
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | undefined>();
  const action = useAction();
  const { confirm, dialog } = useConfirm();
  const base = `${window.location.origin}/scim/v2/${tenantId}`;

  const create = (event: Event) => {
    event.preventDefault();
    return action.run(async () => {
      const t = ok(
        await api.POST('/admin/v1/tenants/{id}/scim-tokens', {
          params: { path: { id: tenantId } },
          body: { name: name.trim() },
        }),
      );
      setCreated(t.token);
      setName('');
      await tokens.reload();
    });
  };
  const revoke = async (id: string, label: string) => {
    const yes = await confirm({
      title: `Revoke the SCIM token "${label}"?`,
      body: (
        <p>The identity provider that uses it can no longer provision this tenant until it has a new one.</p>
      ),
      action: 'Revoke SCIM token',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(
        await api.DELETE('/admin/v1/tenants/{id}/scim-tokens/{tokenId}', {
          params: { path: { id: tenantId, tokenId: id } },
        }),
      );
      await tokens.reload();
    });
  };

  return (
    <Page
      title="SCIM provisioning"
      intro="Microsoft Entra ID, Okta and other identity providers create and deactivate this tenant's users through SCIM 2.0, with a SCIM token. The token is shown once."
    >
      {dialog}
      <TenantPicker tenants={tenants.data} value={tenantId} onChange={setTenantId} />
      <p>
        SCIM base URL (the Tenant URL in Entra ID, the SCIM connector base URL in Okta): <code>{base}</code>
      </p>
      <form onSubmit={(e) => void create(e)}>
        <label>
          Token name
          <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy || name.trim() === ''}>
          Create SCIM token
        </button>
      </form>
      {created && <SecretOnce label="SCIM token" value={created} onDone={() => setCreated(undefined)} />}
      <ErrorNote error={tokens.error ?? action.error} />
      {tokens.data?.length === 0 && <Empty>No SCIM tokens yet.</Empty>}
      {tokens.data && tokens.data.length > 0 && (
        <Table
          caption="SCIM tokens"
          rows={tokens.data}
          rowKey={(t) => t.id}
          columns={[
            { label: 'Name', cell: (t) => t.name },
            { label: 'Status', cell: (t) => (t.revokedAt ? 'revoked' : 'active') },
            { label: 'Created', cell: (t) => when(t.createdAt) },
            { label: 'Revoked', cell: (t) => when(t.revokedAt) },
            {
              label: 'Actions',
              cell: (t) =>
                t.revokedAt ? (
                  '—'
                ) : (
                  <button
                    type="button"
                    class="danger-outline small"
                    onClick={() => void revoke(t.id, t.name)}
                  >
                    Revoke<span class="sr-only"> SCIM token {t.name}</span>
                  </button>
                ),
            },
          ]}
        />
      )}
    </Page>
  );
}
