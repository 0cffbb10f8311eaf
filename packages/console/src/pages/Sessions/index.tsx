// Sessions (everyone their own; Administrators their tenant's; operators any tenant's): who is signed
// in through which application, by e-mail and name, filtered by status and application and read page
// by page; ending one is confirmed and refuses its tokens at once.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { usePaged } from '../../components/paged.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useAction, useLoad, when } from '../../components/ui.js';

const PAGE = 50;

export function Sessions() {
  const me = profile();
  const admin = me.level !== 'self';
  const [status, setStatus] = useState<'active' | 'ended' | 'all'>('active');
  const [clientId, setClientId] = useState('');
  const apps = useLoad(async () =>
    admin ? ok(await api.GET('/admin/v1/applications', { params: { query: { limit: 200 } } })).items : [],
  );
  const list = usePaged(
    async (cursor) => {
      const r = await api.GET('/admin/v1/sessions', {
        params: {
          query: {
            limit: PAGE,
            ...(cursor ? { cursor } : {}),
            ...(status === 'all' ? {} : { active: status === 'active' }),
            ...(clientId ? { client_id: clientId } : {}),
          },
        },
      });
      return { items: ok(r).items, response: r.response };
    },
    [status, clientId],
  );
  const action = useAction();
  const { confirm, dialog } = useConfirm();
  const end = async (s: {
    id: string;
    user_email: string | null;
    app_name: string | null;
    client_id: string;
  }) => {
    const who = s.user_email ?? 'this user';
    const yes = await confirm({
      title: `End the session of ${who} in '${s.app_name ?? s.client_id}'?`,
      body: <p>Its access and refresh tokens are refused at once on every node; they must sign in again.</p>,
      action: 'End session',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(await api.DELETE('/admin/v1/sessions/{id}', { params: { path: { id: s.id } } }));
      await list.reload();
    });
  };
  return (
    <Page
      title="Sessions"
      intro="Every sign-in or grant is a session; ending one refuses its tokens at once."
    >
      {dialog}
      <form class="filters" aria-label="Filter sessions" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
            <option value="active">Active</option>
            <option value="ended">Ended or expired</option>
            <option value="all">All</option>
          </select>
        </label>
        {admin && (
          <label>
            Application
            <select value={clientId} onChange={(e) => setClientId(e.currentTarget.value)}>
              <option value="">Any application</option>
              {apps.data?.map((a) => (
                <option key={a.client_id} value={a.client_id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </form>
      <ErrorNote error={list.error ?? action.error} />
      {list.items?.length === 0 && <Empty>No sessions match. A sign-in or a token grant starts one.</Empty>}
      {list.items && list.items.length > 0 && (
        <Table
          caption="Sessions, oldest first"
          rows={list.items}
          rowKey={(s) => s.id}
          columns={[
            {
              label: 'User',
              cell: (s) => s.user_email ?? (s.userId ? <code>{s.userId}</code> : 'the application itself'),
            },
            { label: 'Application', cell: (s) => s.app_name ?? <code>{s.client_id}</code> },
            { label: 'Scope', cell: (s) => s.scope },
            { label: 'Started', cell: (s) => when(s.createdAt) },
            {
              label: 'Status',
              cell: (s) => (
                <span class={`status ${s.active ? 'active' : 'inactive'}`}>
                  {s.active ? 'active' : 'ended'}
                </span>
              ),
            },
            {
              label: 'Actions',
              cell: (s) =>
                s.active ? (
                  <button type="button" class="danger-outline small" onClick={() => void end(s)}>
                    End session<span class="sr-only"> of {s.user_email ?? s.id.slice(0, 8)}</span>
                  </button>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      )}
      {list.more && (
        <button type="button" class="secondary" disabled={list.loading} onClick={() => void list.loadMore()}>
          Show more sessions
        </button>
      )}
    </Page>
  );
}
