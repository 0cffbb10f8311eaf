// Webhooks: the subscriptions of the Administrator's tenant (and, for operators, the platform-wide
// ones), a new subscription's signing secret shown once, rotating it, switching one off, and each
// subscription's delivery log with redelivery (docs/webhooks.md).
import { useState } from 'preact/hooks';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { Field } from '../../components/field.js';
import { Table } from '../../components/table.js';
import { Empty, ErrorNote, lines, Page, SecretOnce, useAction, useLoad, when } from '../../components/ui.js';
import { type Delivery, platformWebhooks, tenantWebhooks, type Webhook } from './api.js';

export function Webhooks() {
  const me = profile();
  const [scope, setScope] = useState<'tenant' | 'platform'>('tenant');
  const hooks = scope === 'platform' ? platformWebhooks() : tenantWebhooks(me.tenantId);
  const list = useLoad(() => hooks.list(), [scope]);
  const action = useAction();
  const { confirm, dialog } = useConfirm();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('*');
  const [secret, setSecret] = useState<string | undefined>();
  const [open, setOpen] = useState<Webhook | undefined>();
  const [log, setLog] = useState<Delivery[] | undefined>();

  const create = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const made = await hooks.create({ url: url.trim(), event_types: lines(types) });
      setSecret(made.secret);
      setUrl('');
      await list.reload();
    });
  };
  const showLog = (w: Webhook) =>
    action.run(async () => {
      setOpen(w);
      setLog(await hooks.deliveries(w.id));
    });
  const toggle = (w: Webhook) =>
    action.run(async () => {
      await hooks.patch(w.id, { enabled: !w.enabled });
      await list.reload();
    });
  const rotate = async (w: Webhook) => {
    const yes = await confirm({
      title: `Rotate the signing secret of ${w.url}?`,
      body: <p>A new secret is shown once; the current one keeps signing beside it for 24 hours.</p>,
      action: 'Rotate secret',
    });
    if (yes) await action.run(async () => setSecret((await hooks.rotate(w.id)).secret));
  };
  const remove = async (w: Webhook) => {
    const yes = await confirm({
      title: `Delete the webhook to ${w.url}?`,
      body: <p>Its deliveries still waiting are dropped, with its delivery log.</p>,
      action: 'Delete webhook',
    });
    if (!yes) return;
    await action.run(async () => {
      await hooks.remove(w.id);
      if (open?.id === w.id) setOpen(undefined);
      await list.reload();
    });
  };
  const redeliver = (w: Webhook, d: Delivery) =>
    action.run(async () => {
      await hooks.redeliver(w.id, d.id);
      setLog(await hooks.deliveries(w.id));
    });

  return (
    <Page
      title="Webhooks"
      intro="Signed deliveries of audit events to your URLs, retried for 24 hours (Standard Webhooks)."
    >
      {dialog}
      {me.level === 'operator' && (
        <form class="filters" aria-label="Which webhooks" onSubmit={(e) => e.preventDefault()}>
          <label>
            Scope
            <select
              value={scope}
              onChange={(e) => {
                setScope(e.currentTarget.value as typeof scope);
                setOpen(undefined);
              }}
            >
              <option value="tenant">Your tenant</option>
              <option value="platform">Platform-wide (every tenant)</option>
            </select>
          </label>
        </form>
      )}
      {secret && <SecretOnce label="signing secret" value={secret} onDone={() => setSecret(undefined)} />}
      <form class="card" aria-label="New webhook" onSubmit={create}>
        <Field id="webhook-url" label="URL" error={action.fields['url']}>
          {(c) => (
            <input {...c} type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
          )}
        </Field>
        <Field
          id="webhook-types"
          label="Event types"
          error={action.fields['event_types']}
          hint="One per line or comma-separated, e.g. user.created; * for every event."
        >
          {(c) => <textarea {...c} rows={2} value={types} onInput={(e) => setTypes(e.currentTarget.value)} />}
        </Field>
        <button type="submit" disabled={action.busy}>
          Add webhook
        </button>
      </form>
      <ErrorNote error={list.error ?? action.error} />
      {list.data?.length === 0 && <Empty>No webhooks yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <Table
          caption="Webhooks"
          rows={list.data}
          rowKey={(w) => w.id}
          columns={[
            { label: 'URL', cell: (w) => <code>{w.url}</code> },
            { label: 'Events', cell: (w) => w.event_types.join(', ') },
            {
              label: 'Status',
              cell: (w) => (
                <span class={`status ${w.enabled ? 'active' : 'inactive'}`}>
                  {w.enabled ? 'enabled' : (w.disabled_reason ?? 'disabled')}
                </span>
              ),
            },
            {
              label: 'Actions',
              cell: (w) => (
                <span class="actions">
                  <button type="button" class="secondary small" onClick={() => void showLog(w)}>
                    Deliveries<span class="sr-only"> of {w.url}</span>
                  </button>
                  <button type="button" class="secondary small" onClick={() => void toggle(w)}>
                    {w.enabled ? 'Disable' : 'Enable'}
                    <span class="sr-only"> {w.url}</span>
                  </button>
                  <button type="button" class="secondary small" onClick={() => void rotate(w)}>
                    Rotate secret<span class="sr-only"> of {w.url}</span>
                  </button>
                  <button type="button" class="danger-outline small" onClick={() => void remove(w)}>
                    Delete<span class="sr-only"> {w.url}</span>
                  </button>
                </span>
              ),
            },
          ]}
        />
      )}
      {open && log && (
        <section aria-label={`Deliveries to ${open.url}`}>
          <h2>Deliveries to {open.url}</h2>
          {log.length === 0 && <Empty>No deliveries yet: they appear once a subscribed event happens.</Empty>}
          {log.length > 0 && (
            <Table
              caption={`Deliveries to ${open.url}, newest first`}
              rows={log}
              rowKey={(d) => d.id}
              columns={[
                { label: 'Event', cell: (d) => d.event_type },
                { label: 'When', cell: (d) => when(d.createdAt) },
                { label: 'State', cell: (d) => d.state },
                { label: 'Attempts', cell: (d) => String(d.attempts) },
                {
                  label: 'Last answer',
                  cell: (d) => d.last_error ?? (d.last_status === null ? '—' : String(d.last_status)),
                },
                {
                  label: 'Actions',
                  cell: (d) => (
                    <button type="button" class="secondary small" onClick={() => void redeliver(open, d)}>
                      Redeliver<span class="sr-only"> {d.event_type}</span>
                    </button>
                  ),
                },
              ]}
            />
          )}
        </section>
      )}
    </Page>
  );
}
