// One user's panel: set the role, deactivate or activate, set a new password, enrol in TOTP (the
// otpauth URI shown once), rename or remove passkeys (or read why the server offers none). Changes send the ETag read with the user (If-Match), so two admins editing
// at once cannot overwrite each other unseen.
import { useState } from 'preact/hooks';
import { api, ifMatch, ok, tagged } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { Field } from '../../components/field.js';
import { ErrorNote, SecretOnce, useAction, useLoad } from '../../components/ui.js';
import { PasskeyList, PasskeysOff, passkeySupport } from '../Passkeys/index.js';
import { RoleInput } from './RoleInput.js';

export function UserPanel(props: { id: string; onChanged: () => void; onClose: () => void }) {
  const path = { params: { path: { id: props.id } } };
  const user = useLoad(async () => tagged(await api.GET('/admin/v1/users/{id}', path)), [props.id]);
  const [role, setRole] = useState<string | undefined>();
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState<string | undefined>();
  const [done, setDone] = useState('');
  const passkeys = useLoad(passkeySupport, []);
  const action = useAction();
  const { confirm, dialog } = useConfirm();
  const u = user.data?.data;
  const deactivate = async () => {
    if (!u) return;
    const yes = await confirm({
      title: `Deactivate user '${u.email}'?`,
      body: (
        <p>
          Their sessions and access keys stop working at once and they can no longer sign in, until an
          Administrator activates them again.
        </p>
      ),
      action: 'Deactivate user',
    });
    if (yes) await patch({ status: 'inactive' }, 'Deactivated: its sign-ins end now.');
  };
  const isSelf = u?.id === profile().userId;

  const patch = (body: { role?: string; status?: 'active' | 'inactive' }, said: string) =>
    action.run(async () => {
      ok(await api.PATCH('/admin/v1/users/{id}', { ...path, body, headers: ifMatch(user.data?.etag) }));
      setDone(said);
      await user.reload();
      props.onChanged();
    });
  const setNewPassword = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      ok(await api.POST('/admin/v1/users/{id}/password', { ...path, body: { password } }));
      setPassword('');
      setDone(`A new password is set for ${u?.email}.`);
    });
  };
  const enrolTotp = () =>
    action.run(async () => {
      setTotp(ok(await api.POST('/admin/v1/users/{id}/totp', path)).otpauth_uri);
      setDone('');
    });

  return (
    <section class="card panel" aria-labelledby="user-panel-title">
      {dialog}
      <div class="panel-head">
        <h2 id="user-panel-title">{u ? u.email : 'User'}</h2>
        <button type="button" class="secondary" onClick={props.onClose}>
          Close<span class="sr-only"> the user's panel</span>
        </button>
      </div>
      <ErrorNote error={user.error ?? action.error} />
      <p role="status">{done}</p>
      {u && (
        <>
          <p class="intro">
            {u.status === 'active' ? 'Active' : 'Deactivated'} · role {u.role.legacyId}
            {u.operator ? ' · platform operator' : ''}
            {isSelf ? ' · this is you: your role and status are changed by another Administrator' : ''}
          </p>
          {!isSelf && (
            <form
              aria-label="Role and status"
              onSubmit={(e) => {
                e.preventDefault();
                void patch({ role: role ?? u.role.legacyId }, `The role is now ${role ?? u.role.legacyId}.`);
              }}
            >
              <RoleInput
                id="user-role"
                value={role ?? u.role.legacyId}
                onInput={setRole}
                error={action.fields['role']}
              />
              <div class="actions">
                <button type="submit" disabled={action.busy}>
                  Set role
                </button>
                {u.status === 'active' ? (
                  <button
                    type="button"
                    class="danger-outline"
                    disabled={action.busy}
                    onClick={() => void deactivate()}
                  >
                    Deactivate user
                  </button>
                ) : (
                  <button
                    type="button"
                    class="secondary"
                    disabled={action.busy}
                    onClick={() => void patch({ status: 'active' }, 'Activated.')}
                  >
                    Activate user
                  </button>
                )}
              </div>
            </form>
          )}
          <form aria-label="Password" onSubmit={setNewPassword}>
            <Field id="user-password" label="New password" error={action.fields['password']}>
              {(c) => (
                <input
                  {...c}
                  required
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  onInput={(e) => setPassword(e.currentTarget.value)}
                />
              )}
            </Field>
            <button type="submit" disabled={action.busy}>
              Set password
            </button>
          </form>
          <h3>Authenticator app (TOTP)</h3>
          {totp ? (
            <SecretOnce label="otpauth URI" value={totp} onDone={() => setTotp(undefined)} />
          ) : (
            <button type="button" class="secondary" disabled={action.busy} onClick={() => void enrolTotp()}>
              Enrol in TOTP
            </button>
          )}
          <h3>Passkeys</h3>
          {passkeys.data && !passkeys.data.rpId && <PasskeysOff support={passkeys.data} />}
          {passkeys.data?.rpId && (
            <p class="hint">
              A person adds their own passkeys on the sign-in page (/auth/passkeys); here they are renamed or
              removed.
            </p>
          )}
          <PasskeyList userId={props.id} label={`Passkeys of ${u.email}`} />
        </>
      )}
    </section>
  );
}
