// A tenant's mail templates (docs/people.md, "Templates"): pick a mail, edit its subject, text and HTML
// with the placeholders it documents, preview it with sample values (nothing stored), save it, or reset
// it to the default. Operators pick the tenant; an Administrator edits its own.
import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import { profile } from '../../auth/profile.js';
import { useConfirm } from '../../components/confirm.js';
import { Field } from '../../components/field.js';
import { ErrorNote, Page, TenantPicker, useAction, useLoad, when } from '../../components/ui.js';

type Template = components['schemas']['MailTemplate'];
type Preview = components['schemas']['MailPreview'];

export function MailTemplates() {
  const self = profile();
  const [tenantId, setTenantId] = useState(self.tenantId);
  const tenants = useLoad(async () => {
    if (self.level !== 'operator') return [];
    return ok(await api.GET('/admin/v1/tenants')).items;
  });
  const list = useLoad(
    async () =>
      ok(await api.GET('/admin/v1/tenants/{id}/mail-templates', { params: { path: { id: tenantId } } }))
        .items,
    [tenantId],
  );
  const [name, setName] = useState('');
  // Kept here: the editor starts afresh with the saved template, and still says what was done.
  const [notice, setNotice] = useState('');
  const chosen: Template | undefined = list.data?.find((t) => t.name === name) ?? list.data?.[0];
  return (
    <Page
      title="Mail templates"
      intro="What the mails of your tenant say: each is the built-in default until you save your own. Values are escaped in the HTML part; only the placeholders listed may be used."
    >
      <TenantPicker tenants={tenants.data} value={tenantId} onChange={setTenantId} mine={self.tenantId} />
      <ErrorNote error={list.error ?? tenants.error} />
      {list.data && (
        <label>
          Mail
          <select
            value={chosen?.name ?? ''}
            onChange={(e) => {
              setName(e.currentTarget.value);
              setNotice('');
            }}
          >
            {list.data.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
                {t.customised ? ' (customised)' : ''}
              </option>
            ))}
          </select>
        </label>
      )}
      {chosen && (
        <Editor
          key={`${tenantId}/${chosen.name}/${chosen.updatedAt ?? ''}`}
          tenantId={tenantId}
          template={chosen}
          notice={notice}
          onSaved={(message) => {
            setNotice(message);
            void list.reload();
          }}
        />
      )}
    </Page>
  );
}

function Editor(props: {
  tenantId: string;
  template: Template;
  notice: string;
  onSaved: (message: string) => void;
}) {
  const t = props.template;
  const [subject, setSubject] = useState(t.subject);
  const [text, setText] = useState(t.text);
  const [html, setHtml] = useState(t.html);
  const [preview, setPreview] = useState<Preview | undefined>();
  const [done, setDone] = useState(props.notice);
  const action = useAction();
  const { confirm, dialog } = useConfirm();
  useEffect(() => setPreview(undefined), [t.name]);
  const path = { id: props.tenantId, name: t.name };

  // Only the parts that differ from what is shown now are sent: the others stay as they are.
  const changed = () => ({
    ...(subject !== t.subject ? { subject } : {}),
    ...(text !== t.text ? { text } : {}),
    ...(html !== t.html ? { html } : {}),
  });
  const save = (event: Event) => {
    event.preventDefault();
    setDone('');
    void action.run(async () => {
      const parts = changed();
      if (Object.keys(parts).length === 0) {
        setDone('Nothing changed.');
        return;
      }
      ok(await api.PUT('/admin/v1/tenants/{id}/mail-templates/{name}', { params: { path }, body: parts }));
      props.onSaved(`Saved the ${t.name} mail.`);
    });
  };
  const show = () =>
    void action.run(async () => {
      setPreview(
        ok(
          await api.POST('/admin/v1/tenants/{id}/mail-templates/{name}:preview', {
            params: { path },
            body: { subject, text, html },
          }),
        ),
      );
    });
  const reset = async () => {
    const yes = await confirm({
      title: `Reset the ${t.name} mail to the default?`,
      body: <p>Your subject, text and HTML of this mail are removed; the built-in ones are sent again.</p>,
      action: 'Reset to default',
    });
    if (!yes) return;
    await action.run(async () => {
      ok(await api.DELETE('/admin/v1/tenants/{id}/mail-templates/{name}', { params: { path } }));
      props.onSaved(`The ${t.name} mail is the default again.`);
    });
  };

  return (
    <>
      {dialog}
      <form class="card" aria-label={`The ${t.name} mail`} onSubmit={save}>
        <h2>{t.name}</h2>
        <p>{t.description}</p>
        <p class="hint">
          {t.customised
            ? `Customised (${t.customised_parts.join(', ')}), ${when(t.updatedAt)}.`
            : 'The default.'}{' '}
          {t.link_required ? 'The text and HTML must contain {{link}}.' : ''}
        </p>
        <table>
          <caption>Placeholders</caption>
          <thead>
            <tr>
              <th scope="col">Placeholder</th>
              <th scope="col">Holds</th>
            </tr>
          </thead>
          <tbody>
            {t.placeholders.map((p) => (
              <tr key={p.name}>
                <td>
                  <code>{`{{${p.name}}}`}</code>
                </td>
                <td>{p.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Field id="mail-subject" label="Subject" error={action.fields['subject']}>
          {(c) => (
            <input
              {...c}
              required
              maxLength={200}
              value={subject}
              onInput={(e) => setSubject(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="mail-text" label="Text" error={action.fields['text']}>
          {(c) => (
            <textarea {...c} required rows={8} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="mail-html" label="HTML" error={action.fields['html']}>
          {(c) => (
            <textarea {...c} required rows={8} value={html} onInput={(e) => setHtml(e.currentTarget.value)} />
          )}
        </Field>
        <ErrorNote error={action.error} />
        <div class="actions">
          <button type="submit" disabled={action.busy}>
            Save template
          </button>
          <button type="button" class="secondary" disabled={action.busy} onClick={show}>
            Preview
          </button>
          {t.customised && (
            <button type="button" class="secondary" disabled={action.busy} onClick={() => void reset()}>
              Reset to default
            </button>
          )}
          <span role="status">{done}</span>
        </div>
        {preview && (
          <section aria-label="Preview">
            <h3>Preview (sample values)</h3>
            <p>
              Subject: <strong>{preview.subject}</strong>
            </p>
            <h4>Text</h4>
            <pre class="wrap">{preview.text}</pre>
            <h4>HTML (as sent)</h4>
            <pre class="wrap">{preview.html}</pre>
          </section>
        )}
      </form>
    </>
  );
}
