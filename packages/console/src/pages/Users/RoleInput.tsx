// The role field: the legacy role name (`role.legacyId`), free text with the usual names offered.
// `Administrator` manages the tenant through the console; any other role signs in as a plain user.
export function RoleInput(props: {
  id: string;
  value: string;
  onInput: (role: string) => void;
  error?: string | undefined;
}) {
  const described = props.error ? `${props.id}-error ${props.id}-hint` : `${props.id}-hint`;
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={props.id}>Role</label>
      <input
        id={props.id}
        required
        maxLength={64}
        list={`${props.id}-names`}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <datalist id={`${props.id}-names`}>
        <option value="Agent" />
        <option value="Supervisor" />
        <option value="Administrator" />
      </datalist>
      {props.error && (
        <span class="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      )}
      <span class="hint" id={`${props.id}-hint`}>
        Administrator manages this tenant here; any other role sees only its own access keys and sessions.
      </span>
    </div>
  );
}
