// Passkeys in the console: a person's own (the "Passkeys" page: rename, remove, and a link to the
// hosted page that adds one, /auth/passkeys) and a user's in their panel (rename, remove). Whether
// the server can offer passkeys at all comes from its discovery document (`cxauth_passkeys_rp_id`,
// `cxauth_passkeys_unavailable`): under an IP address or plain http on another host than localhost
// browsers refuse WebAuthn, so the console says why and what to change instead of a button that
// cannot work (docs/sign-in.md, "Passkeys").
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, useAction, useLoad, when } from '../../components/ui.js';

export interface PasskeySupport {
  readonly issuer: string;
  /** The WebAuthn RP ID passkeys are registered for; null when the server cannot offer them. */
  readonly rpId: string | null;
  readonly unavailable?: 'ip_address' | 'not_https';
}

let support: Promise<PasskeySupport> | undefined;

/** The server's word on passkeys, read once from its discovery document. */
export function passkeySupport(): Promise<PasskeySupport> {
  if (support) return support;
  const loading = fetch(`${window.location.origin}/.well-known/openid-configuration`)
    .then(async (res): Promise<PasskeySupport> => {
      if (!res.ok) throw new Error(`The server's discovery document answered ${res.status}.`);
      const doc = (await res.json()) as Record<string, unknown>;
      const reason = doc['cxauth_passkeys_unavailable'];
      const unavailable = reason === 'ip_address' || reason === 'not_https' ? reason : undefined;
      return {
        issuer: String(doc['issuer'] ?? window.location.origin),
        rpId: typeof doc['cxauth_passkeys_rp_id'] === 'string' ? doc['cxauth_passkeys_rp_id'] : null,
        ...(unavailable ? { unavailable } : {}),
      };
    })
    .catch((err: unknown) => {
      support = undefined;
      throw err;
    });
  support = loading;
  return loading;
}

/** Why passkeys are off on this server, and what an operator changes to turn them on. */
export function PasskeysOff(props: { support: PasskeySupport }) {
  const url = new URL(props.support.issuer);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const why =
    props.support.unavailable === 'not_https'
      ? `its address, ${props.support.issuer}, is plain http on a host other than localhost, and browsers offer passkeys only over HTTPS (or on localhost).`
      : `its address, ${props.support.issuer}, is an IP address, and browsers accept only a domain name for passkeys (WebAuthn).`;
  return (
    <div class="note" role="note">
      <p>
        <strong>Passkeys are off on this server:</strong> {why}
      </p>
      <p>
        To turn them on, start the server with <code>CXAUTH_ISSUER=http://localhost:{port}</code> (on this
        machine) or <code>CXAUTH_ISSUER=https://</code>
        <em>your domain</em> and open the console there. Passkeys already listed cannot sign in until then.
      </p>
    </div>
  );
}

/** A user's passkeys as a table: its name (renamed in place), when added and last used, remove. */
export function PasskeyList(props: { userId: string; label: string }) {
  const path = { params: { path: { id: props.userId } } };
  const passkeys = useLoad(
    async () => ok(await api.GET('/admin/v1/users/{id}/passkeys', path)).items,
    [props.userId],
  );
  const [names, setNames] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const action = useAction();
  const rename = (id: string, current: string) =>
    action.run(async () => {
      const name = (names[id] ?? current).trim();
      const renamed = ok(
        await api.PATCH('/admin/v1/users/{id}/passkeys/{passkey_id}', {
          params: { path: { id: props.userId, passkey_id: id } },
          body: { name },
        }),
      );
      setNames((n) => {
        const { [id]: _gone, ...rest } = n;
        return rest;
      });
      setDone(`Renamed the passkey to ${renamed.name}.`);
      await passkeys.reload();
    });
  const remove = (id: string, name: string) =>
    action.run(async () => {
      ok(
        await api.DELETE('/admin/v1/users/{id}/passkeys/{passkey_id}', {
          params: { path: { id: props.userId, passkey_id: id } },
        }),
      );
      setDone(`Removed the passkey ${name}: it no longer signs in.`);
      await passkeys.reload();
    });
  return (
    <>
      <ErrorNote error={passkeys.error ?? action.error} />
      <p role="status">{done}</p>
      {passkeys.data?.length === 0 && <Empty>No passkey yet.</Empty>}
      {passkeys.data && passkeys.data.length > 0 && (
        <Table
          caption={props.label}
          rows={passkeys.data}
          rowKey={(p) => p.id}
          columns={[
            {
              label: 'Name',
              cell: (p) => (
                <form
                  class="inline"
                  aria-label={`Rename passkey ${p.name}`}
                  onSubmit={(e) => {
                    e.preventDefault();
                    void rename(p.id, p.name);
                  }}
                >
                  <label>
                    <span class="sr-only">Name of passkey {p.name}</span>
                    <input
                      required
                      maxLength={64}
                      value={names[p.id] ?? p.name}
                      aria-invalid={action.fields['name'] && names[p.id] !== undefined ? 'true' : undefined}
                      onInput={(e) => {
                        const value = e.currentTarget.value;
                        setNames((n) => ({ ...n, [p.id]: value }));
                      }}
                    />
                  </label>
                  <button type="submit" class="secondary" disabled={action.busy}>
                    Rename<span class="sr-only"> passkey {p.name}</span>
                  </button>
                </form>
              ),
            },
            { label: 'Added', cell: (p) => when(p.createdAt) },
            { label: 'Last used', cell: (p) => (p.lastUsedAt ? when(p.lastUsedAt) : 'never') },
            { label: 'Synced', cell: (p) => (p.backedUp ? 'yes' : 'no') },
            {
              label: 'Actions',
              cell: (p) => (
                <button
                  type="button"
                  class="danger-outline"
                  disabled={action.busy}
                  onClick={() => void remove(p.id, p.name)}
                >
                  Remove<span class="sr-only"> passkey {p.name}</span>
                </button>
              ),
            },
          ]}
        />
      )}
      {action.fields['name'] && <p class="error">{action.fields['name']}</p>}
    </>
  );
}

/** The signed-in person's own passkeys. */
export function Passkeys() {
  const self = profile();
  const found = useLoad(passkeySupport, []);
  return (
    <Page title="Passkeys" intro="Passkeys sign you in with your device's screen lock or a security key.">
      <ErrorNote error={found.error} />
      {found.data && !found.data.rpId && <PasskeysOff support={found.data} />}
      {found.data?.rpId && (
        <p>
          <a href="/auth/passkeys">Add a passkey on the sign-in page</a> (it asks you to have signed in within
          the last 10 minutes).
        </p>
      )}
      <PasskeyList userId={self.userId} label="Your passkeys" />
    </Page>
  );
}
