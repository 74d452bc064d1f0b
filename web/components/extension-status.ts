import { html } from 'htm/preact';
import type { ExtensionName } from '../../functions/core/extension-names.js';
import type { FileObject } from '../api.js';
import { EXTENSION_LABELS } from '../extension-choice.js';

/** Each requested extension's state (`pending` until its tagger is done); a failure with its reason, or its message in full. */
export function ExtensionStatus({ file, full = false }: { file: Pick<FileObject, 'extensionStatus' | 'extensionErrors'>; full?: boolean }) {
  const entries = Object.entries(file.extensionStatus ?? {}) as Array<[ExtensionName, string]>;
  if (!entries.length) return null;
  return html`<ul class="statuses" aria-label="Auto-tagging">
    ${entries.map(([name, state]) => {
      const error = file.extensionErrors?.[name];
      const why = error && (full ? `: ${error.message} (${error.reason})` : ` (${error.reason})`);
      return html`<li key=${name} class=${`status status-${state}`} data-extension=${name}>
        ${EXTENSION_LABELS[name]?.short ?? name}: <span class="status-state">${state}</span>${why}
      </li>`;
    })}
  </ul>`;
}
