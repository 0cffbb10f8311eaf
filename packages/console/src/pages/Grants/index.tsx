// Connected applications: the third-party apps the signed-in user allowed on the consent page, what
// each may receive, and withdrawing one (its sessions of this user end at once).
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useAction, useLoad, when } from '../../components/ui.js';

export function Grants() {
  const self = profile();
  const grants = useLoad(
    async () =>
      ok(await api.GET('/admin/v1/users/{id}/grants', { params: { path: { id: self.userId } } })).items,
    [self.userId],
  );
  const action = useAction();
  const withdraw = (clientId: string) =>
    action.run(async () => {
      ok(
        await api.DELETE('/admin/v1/users/{id}/grants/{client_id}', {
          params: { path: { id: self.userId, client_id: clientId } },
        }),
      );
      await grants.reload();
    });

  return (
    <Page
      title="Connected applications"
      intro="Applications you allowed to sign you in. Withdrawing one signs you out of it; it asks again next time."
    >
      <ErrorNote error={grants.error ?? action.error} />
      {grants.data?.length === 0 && <Empty>You have not allowed any application yet.</Empty>}
      {grants.data && grants.data.length > 0 && (
        <Table
          caption="Connected applications"
          rows={grants.data}
          rowKey={(g) => g.client_id}
          columns={[
            { label: 'Application', cell: (g) => g.application },
            { label: 'May receive', cell: (g) => g.scopes.join(', ') },
            { label: 'Allowed', cell: (g) => when(g.createdAt) },
            {
              label: 'Actions',
              cell: (g) => (
                <button
                  type="button"
                  class="secondary"
                  disabled={action.busy}
                  onClick={() => void withdraw(g.client_id)}
                >
                  Withdraw<span class="sr-only"> {g.application}</span>
                </button>
              ),
            },
          ]}
        />
      )}
    </Page>
  );
}
