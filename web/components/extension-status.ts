import { html } from 'htm/preact';
import type { ExtensionName } from '../../functions/core/extension-names.js';
import type { FileObject } from '../api.js';
import { EXTENSION_LABELS } from '../extension-choice.js';
import { reasonSentence } from '../failure-reasons.js';

/**
 * Each requested extension's state (`pending` until its tagger is done); a failure as a sentence with its
 * reason code in the title, and with `full` the API's message too.
 */
export function ExtensionStatus({ file, full = false }: { file: Pick<FileObject, 'extensionStatus' | 'extensionErrors'>; full?: boolean }) {
  const entries = Object.entries(file.extensionStatus ?? {}) as Array<[ExtensionName, string]>;
  if (!entries.length) return null;
  return html`<ul class="statuses" aria-label="Auto-tagging">
    ${entries.map(([name, state]) => {
      const error = state === 'failed' ? file.extensionErrors?.[name] : undefined;
      return html`<li key=${name} class=${`status status-${state}`} data-extension=${name}>
        ${EXTENSION_LABELS[name]?.short ?? name}: <span class="status-state">${state}</span>
        ${error && html` <span class="status-reason" title=${error.reason}>${reasonSentence(error.reason)}</span>`}
        ${full && error?.message && html` <span class="status-message">${error.message}</span>`}
      </li>`;
    })}
  </ul>`;
}
