// Confirmation of a destructive action: a modal dialog (the native <dialog>, which keeps focus inside
// and closes on Escape) that says what will happen in words, with the destructive button named for
// the action and Cancel taking focus first, so Enter alone never destroys anything.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface Confirmation {
  /** The question, naming the thing: "Deactivate application 'shop'?" */
  title: string;
  /** What follows from it, in a sentence or two. */
  body: ComponentChildren;
  /** The destructive button's words: "Deactivate application". */
  action: string;
}

function ConfirmDialog(props: { ask: Confirmation; onAnswer: (yes: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    cancel.current?.focus();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onCancel={(e) => {
        e.preventDefault();
        props.onAnswer(false);
      }}
    >
      <h2 id="confirm-title">{props.ask.title}</h2>
      <div id="confirm-body">{props.ask.body}</div>
      <div class="actions">
        <button type="button" class="danger" onClick={() => props.onAnswer(true)}>
          {props.ask.action}
        </button>
        <button type="button" class="secondary" ref={cancel} onClick={() => props.onAnswer(false)}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/**
 * `confirm(ask)` resolves true when the person confirms; render `dialog` once in the page. Focus goes
 * back to the control that asked when the dialog closes.
 */
export function useConfirm() {
  const [pending, setPending] = useState<
    { ask: Confirmation; resolve: (yes: boolean) => void; from: Element | null } | undefined
  >();
  const confirm = (ask: Confirmation) =>
    new Promise<boolean>((resolve) => setPending({ ask, resolve, from: document.activeElement }));
  const dialog = pending ? (
    <ConfirmDialog
      ask={pending.ask}
      onAnswer={(yes) => {
        pending.resolve(yes);
        const from = pending.from;
        setPending(undefined);
        if (from instanceof HTMLElement && from.isConnected) from.focus();
      }}
    />
  ) : null;
  return { confirm, dialog };
}
