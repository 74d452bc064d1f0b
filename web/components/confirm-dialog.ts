import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export interface ConfirmDialogProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busyLabel: string;
  /** Does the work; the dialog stays open, its buttons disabled, until it settles (it reports its own errors). */
  onConfirm: () => Promise<void>;
  /** Closed: confirmed and done, cancelled, or Escape. */
  onClose: () => void;
}

/**
 * An in-page confirmation (not window.confirm): a modal alertdialog over whatever opened it, focus on
 * Cancel first so Enter never destroys by accident, and focus back where it was once it closes.
 */
export function ConfirmDialog({ title, children, confirmLabel, busyLabel, onConfirm, onClose }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return html`<dialog
    ref=${dialog}
    class="confirm"
    role="alertdialog"
    aria-labelledby=${`${id}-title`}
    aria-describedby=${`${id}-body`}
    onCancel=${(event: Event) => busy && event.preventDefault()}
    onClose=${onClose}
  >
    <h2 id=${`${id}-title`}>${title}</h2>
    <div id=${`${id}-body`} class="confirm-body">${children}</div>
    <div class="confirm-actions">
      <button type="button" class="button" autofocus disabled=${busy} onClick=${() => dialog.current?.close()}>Cancel</button>
      <button type="button" class="button button-danger" disabled=${busy} onClick=${confirm}>${busy ? busyLabel : confirmLabel}</button>
    </div>
  </dialog>`;
}
