// Shared pieces of every page: the page frame with its focused heading, the error and empty states,
// the secret shown once with its copy button, and a loader hook over the API client.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';

// The first page after sign-in keeps the browser's own starting point; later page changes move focus
// to the new heading, so keyboard and screen-reader users land on what changed (the heading shows no
// ring: it is not a control, and the ring on load read as a stray selection).
let pagesShown = 0;

export function Page(props: { title: string; children: ComponentChildren; intro?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · cxauth console`;
    if (pagesShown++ > 0) heading.current?.focus();
  }, [props.title]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={heading}>
        {props.title}
      </h1>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}

export function ErrorNote(props: { error?: string }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** A secret the server shows once: visible, selectable, with a copy button and a plain warning. */
export function SecretOnce(props: { label: string; value: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(props.value);
    setCopied(true);
  };
  return (
    <section class="secret" aria-label={`New ${props.label}`}>
      <p>
        <strong>Copy the {props.label} now.</strong> It is shown only this once and cannot be shown again.
      </p>
      <label>
        {props.label}
        <input readOnly value={props.value} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <div class="actions">
        <button type="button" onClick={copy}>
          Copy {props.label}
        </button>
        <button type="button" class="secondary" onClick={props.onDone}>
          I have saved it
        </button>
        <span role="status">{copied ? 'Copied to the clipboard.' : ''}</span>
      </div>
    </section>
  );
}

/** Loads with `load` on mount and on `reload()`; errors are kept as words. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  // The caller names what the load depends on (`deps`), as with useEffect.
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setData(await load());
      setError(undefined);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload };
}

/**
 * Runs an action, reporting its error in words and the fields the API named (`fields`, by member);
 * returns whether it succeeded.
 */
export function useAction() {
  const [error, setError] = useState<string | undefined>(undefined);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setFields({});
    try {
      await action();
      return true;
    } catch (err) {
      const named = err instanceof ApiError ? err.fields : {};
      const count = Object.keys(named).length;
      // The reasons stand beside their fields; above the form, only what to do.
      setError(
        count > 0
          ? `Nothing was saved: correct the field${count > 1 ? 's' : ''} marked below.`
          : err instanceof Error
            ? err.message
            : String(err),
      );
      setFields(named);
      // The first field at fault takes focus, so its message is read out with it.
      if (Object.keys(named).length > 0) {
        queueMicrotask(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      }
      return false;
    } finally {
      setBusy(false);
    }
  };
  const clear = () => {
    setError(undefined);
    setFields({});
  };
  return { error, fields, busy, run, clear };
}

/** Splits a textarea of one value per line (or comma) into a list. */
export function lines(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

/** The tenant a page works on, for an operator who sees more than one (or any, with `all`). */
export function TenantPicker(props: {
  tenants: readonly { id: string; name: string }[] | undefined;
  value: string;
  onChange: (id: string) => void;
  /** A first choice of no tenant (value ""), so named: every tenant's, say. */
  all?: string;
  /** The signed-in person's tenant, marked "(yours)". */
  mine?: string;
}) {
  const count = props.tenants?.length ?? 0;
  if (props.all === undefined ? count <= 1 : count === 0) return null;
  return (
    <label>
      Tenant
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.all !== undefined && <option value="">{props.all}</option>}
        {props.tenants?.map((t) => (
          <option value={t.id} key={t.id}>
            {t.name}
            {t.id === props.mine ? ' (yours)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
