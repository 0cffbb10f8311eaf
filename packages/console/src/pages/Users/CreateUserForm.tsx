// Creating a user of the tenant: e-mail, names and role. Its password or TOTP are set afterwards in the
// user's panel (the console opens it on the new user).
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ErrorNote, useAction } from '../../components/ui.js';
import { RoleInput } from './RoleInput.js';

export function CreateUserForm(props: { tenantId: string; onDone: (createdId?: string) => void }) {
  const [email, setEmail] = useState('');
  const [given, setGiven] = useState('');
  const [family, setFamily] = useState('');
  const [role, setRole] = useState('Agent');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const user = ok(
        await api.POST('/admin/v1/tenants/{id}/users', {
          params: { path: { id: props.tenantId } },
          body: {
            email,
            role,
            ...(given ? { given_name: given } : {}),
            ...(family ? { family_name: family } : {}),
          },
        }),
      );
      props.onDone(user.id);
    });
  };
  return (
    <form class="card" aria-label="Create a user" onSubmit={submit} noValidate>
      <h2>Create a user</h2>
      <ErrorNote error={action.error} />
      <Field id="new-user-email" label="E-mail" error={action.fields['email']}>
        {(c) => (
          <input
            {...c}
            required
            type="email"
            autoComplete="off"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        )}
      </Field>
      <div class="row">
        <Field id="new-user-given" label="Given name" error={action.fields['given_name']}>
          {(c) => <input {...c} value={given} onInput={(e) => setGiven(e.currentTarget.value)} />}
        </Field>
        <Field id="new-user-family" label="Family name" error={action.fields['family_name']}>
          {(c) => <input {...c} value={family} onInput={(e) => setFamily(e.currentTarget.value)} />}
        </Field>
      </div>
      <RoleInput id="new-user-role" value={role} onInput={setRole} error={action.fields['role']} />
      <div class="actions">
        <button type="submit" disabled={action.busy}>
          Create user
        </button>
        <button type="button" class="secondary" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
