import { html } from 'htm/preact';

export interface AITagActionsProps {
  name: string;
  busy: boolean;
  onReject: (name: string) => void;
  onKeep: (name: string) => void;
  onNeverSuggest: (name: string) => void;
}

/** An AI chip's review actions; each button's name carries the tag's (its visible words first), as a screen reader may list them apart from the chips. */
export function AITagActions({ name, busy, onReject, onKeep, onNeverSuggest }: AITagActionsProps) {
  const action = (label: string, onClick: (name: string) => void) =>
    html`<button type="button" class="button button-quiet tag-action" aria-label=${`${label}: ${name}`} disabled=${busy} onClick=${() => onClick(name)}>
      ${label}
    </button>`;
  return html`<span class="tag-actions">
    ${action('Not on this file', onReject)} ${action('Keep as tag', onKeep)} ${action('Never suggest', onNeverSuggest)}
  </span>`;
}

/** The AI tag names rejected on this file: no run brings them back until allowed again. */
export function RejectedTags({ names, busy, onAllow }: { names: readonly string[]; busy: boolean; onAllow: (name: string) => void }) {
  if (!names.length) return null;
  return html`<section class="details-form rejected-tags" aria-labelledby="rejected-title">
    <h3 id="rejected-title">Rejected AI tags</h3>
    <p class="rejected-help">No run adds these to this file again; allowed again, the next run may.</p>
    <ul class="chips">
      ${names.map(
        (name) => html`<li key=${name.toLowerCase()} class="chip-row">
          <span class="rejected-name">${name}</span>
          <button type="button" class="button button-quiet tag-action" aria-label=${`Allow again: ${name}`} disabled=${busy} onClick=${() => onAllow(name)}>
            Allow again
          </button>
        </li>`,
      )}
    </ul>
  </section>`;
}
