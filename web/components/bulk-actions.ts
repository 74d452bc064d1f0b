import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { parseTagList } from '../search-terms.js';

export interface BulkActionsProps {
  selectedCount: number;
  pageCount: number;
  allOnPageSelected: boolean;
  busy: boolean;
  onSelectPage: (selected: boolean) => void;
  onClear: () => void;
  onApply: (operation: 'add' | 'remove', tags: string[]) => Promise<boolean>;
  /** Asks to delete the selected files (the library confirms first). */
  onDelete: () => void;
}

/** Add or remove user tags on every selected file at once (POST /v1/files/addTags, removeTags), or delete them all. */
export function BulkActions({ selectedCount, pageCount, allOnPageSelected, busy, onSelectPage, onClear, onApply, onDelete }: BulkActionsProps) {
  const [text, setText] = useState('');
  const tags = parseTagList(text);
  const disabled = busy || selectedCount === 0 || tags.length === 0;
  const apply = async (operation: 'add' | 'remove') => {
    if (await onApply(operation, tags)) setText('');
  };
  return html`<form
    class="bulk-tags"
    aria-label="The selected files"
    onSubmit=${(event: Event) => {
      event.preventDefault();
      if (!disabled) apply('add');
    }}
  >
    <div class="check">
      <input
        id="select-page"
        type="checkbox"
        disabled=${pageCount === 0}
        checked=${allOnPageSelected && pageCount > 0}
        onChange=${(event: Event) => onSelectPage((event.currentTarget as HTMLInputElement).checked)}
      />
      <label for="select-page">Select all on this page</label>
    </div>
    <p class="bulk-count" aria-live="polite">${selectedCount} selected</p>
    <div class="field field-grow">
      <label class="visually-hidden" for="bulk-tags">Tags to add or remove, comma-separated</label>
      <input
        id="bulk-tags"
        class="input"
        placeholder="Tags, comma-separated"
        value=${text}
        onInput=${(event: Event) => setText((event.currentTarget as HTMLInputElement).value)}
      />
    </div>
    <button type="submit" class="button button-primary" disabled=${disabled}>Add tags</button>
    <button type="button" class="button" disabled=${disabled} onClick=${() => apply('remove')}>Remove tags</button>
    <button type="button" class="button button-danger" disabled=${busy || selectedCount === 0} onClick=${onDelete}>Delete selected</button>
    <button type="button" class="button button-quiet" disabled=${selectedCount === 0} onClick=${onClear}>Clear selection</button>
  </form>`;
}
