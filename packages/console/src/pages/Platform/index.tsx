// Tenants and areas: every Administrator sees its own tenant and the areas, and changes its tenant's
// settings; platform operators also create them (those forms are not shown to anyone else, whom the
// API would refuse with 403).
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useLoad } from '../../components/ui.js';
import { CreateArea, CreateTenant, PasswordPolicy } from './forms.js';
import { TenantSettings } from './TenantSettings.js';

export function Tenants() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/tenants', {})).items);
  const operator = profile().level === 'operator';
  return (
    <Page
      title="Tenants"
      intro={operator ? 'Every tenant of the platform.' : 'Your tenant. Platform operators create tenants.'}
    >
      {operator && <CreateTenant onCreated={() => void list.reload()} />}
      <TenantSettings tenants={list.data} onSaved={() => void list.reload()} />
      {list.data && list.data.length > 0 && (
        <PasswordPolicy tenants={list.data} onSaved={() => void list.reload()} />
      )}
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Empty>No tenants yet. Create one above to add its users.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Tenants"
          rows={list.data}
          rowKey={(t) => t.id}
          columns={[
            { label: 'Name', cell: (t) => t.name },
            { label: 'ID', cell: (t) => <code>{t.id}</code> },
            { label: 'Area', cell: (t) => t.area },
            { label: 'Cluster', cell: (t) => t.cluster || '—' },
            { label: 'Shortest password', cell: (t) => t.password_min_length ?? 'default' },
            { label: 'Verified e-mail', cell: (t) => (t.email_verification_required ? 'required' : '—') },
            { label: 'Status', cell: (t) => t.status },
          ]}
        />
      )}
    </Page>
  );
}

export function Areas() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/areas', {})).items);
  const operator = profile().level === 'operator';
  return (
    <Page title="Areas" intro="An area is a region with its own API endpoint; each tenant lives in one.">
      {operator && <CreateArea onCreated={() => void list.reload()} />}
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Empty>No areas yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Areas"
          rows={list.data}
          rowKey={(a) => a.name}
          columns={[
            { label: 'Name', cell: (a) => a.name },
            { label: 'API', cell: (a) => <code>{a.api_endpoint}</code> },
            { label: 'Auth', cell: (a) => (a.auth_endpoint ? <code>{a.auth_endpoint}</code> : '—') },
          ]}
        />
      )}
    </Page>
  );
}
