// Signing keys (operators): the list and rotation, confirmed in words.
import { api, ok } from '../../api/client.js';
import { useConfirm } from '../../components/confirm.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useAction, useLoad, when } from '../../components/ui.js';

export function SigningKeys() {
  const list = useLoad(async () => ok(await api.GET('/admin/v1/signing-keys', {})).items);
  const action = useAction();
  const { confirm, dialog } = useConfirm();
  const rotate = async () => {
    const yes = await confirm({
      title: 'Rotate the signing key?',
      body: (
        <p>
          A new key is published now and signs once every verifier can have fetched it; the current key keeps
          verifying the tokens it signed until they expire.
        </p>
      ),
      action: 'Rotate the signing key',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(await api.POST('/admin/v1/signing-keys/rotate', {}));
      await list.reload();
    });
  };
  return (
    <Page title="Signing keys">
      {dialog}
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
