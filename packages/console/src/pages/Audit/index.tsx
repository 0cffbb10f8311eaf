// The audit log: what was refused, throttled, created or changed, by whom — by e-mail or name where the
// API gives one — filtered by type, actor and time (in the database) and read page by page.
import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { usePaged } from '../../components/paged.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, Page, when } from '../../components/ui.js';

const PAGE = 50;
const TYPES: [string, string][] = [
  ['', 'Every event'],
  ['grant.*', 'Grants refused'],
  ['client.*', 'Client authentication failures'],
  ['throttle.*', 'Throttling'],
  ['refresh_token.*', 'Refresh-token reuse'],
  ['session.*', 'Sessions ended'],
  ['application.*', 'Applications'],
  ['user.*', 'Users'],
  ['access_key.*', 'Access keys'],
  ['tenant.*', 'Tenants'],
  ['signing_key.*', 'Signing keys'],
];
const SINCE: [string, string][] = [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['', 'Any time'],
];

/** `user:<id>`, `client:<id>` or `cli` as words: the name when the API gave one. */
function who(ref: string | null, name: string | null) {
  if (!ref) return '—';
  if (name) return <span title={ref}>{name}</span>;
  if (ref === 'cli') return 'the command line';
  return <code>{ref}</code>;
}

export function Audit() {
  const [type, setType] = useState('');
  const [since, setSince] = useState('24h');
  const [actorInput, setActorInput] = useState('');
  const [actor, setActor] = useState('');
  const list = usePaged(
    async (cursor) => {
      const r = await api.GET('/admin/v1/audit-events', {
        params: {
          query: {
            limit: PAGE,
            ...(cursor ? { cursor } : {}),
            ...(type ? { type } : {}),
            ...(since ? { since } : {}),
            ...(actor ? { actor } : {}),
          },
        },
      });
      return { items: ok(r).items, response: r.response };
    },
    [type, since, actor],
  );
  return (
    <Page title="Audit log" intro="Sign-in failures, throttling and every change, newest first.">
      <form
        class="filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setActor(actorInput.trim());
        }}
      >
        <label>
          Event
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {TYPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Since
          <select value={since} onChange={(e) => setSince(e.currentTarget.value)}>
            {SINCE.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <Field id="audit-actor" label="Actor" hint="An e-mail, or user:…, client:…, cli">
          {(c) => (
            <input
              {...c}
              type="search"
              value={actorInput}
              onInput={(e) => setActorInput(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="secondary">
          Apply
        </button>
      </form>
      <ErrorNote error={list.error} />
      {list.items?.length === 0 && (
        <Empty>No audit events match. Sign-ins and changes are recorded here.</Empty>
      )}
      {list.items && list.items.length > 0 && (
        <Table
          caption="Audit events, newest first"
          rows={list.items}
          rowKey={(e) => e.id}
          columns={[
            { label: 'When', cell: (e) => when(e.at) },
            { label: 'Event', cell: (e) => e.type },
            { label: 'Actor', cell: (e) => who(e.actor, e.actor_name) },
            { label: 'Subject', cell: (e) => who(e.subject, e.subject_name) },
            { label: 'Address', cell: (e) => e.address ?? '—' },
          ]}
        />
      )}
      {list.more && (
        <button type="button" class="secondary" disabled={list.loading} onClick={() => void list.loadMore()}>
          Show older events
        </button>
      )}
    </Page>
  );
}
