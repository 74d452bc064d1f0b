import { html } from 'htm/preact';
import type { FileObject } from '../api.js';
import { EXTENSION_LABELS } from '../extension-choice.js';

export interface TagSearchRequest {
  name: string;
  kind: 'user' | 'ai';
}

/** A file's AI tags (source and confidence on each) and, apart, its user tags; a click searches for the tag. */
export function TagChips({ file, onSearch }: { file: Pick<FileObject, 'tags' | 'AITags'>; onSearch: (request: TagSearchRequest) => void }) {
  const aiTags = file.AITags ?? [];
  const userTags = file.tags ?? [];
  return html`<div class="tag-groups">
    ${
      aiTags.length > 0 &&
      html`<div class="tag-group">
        <p class="tag-group-label">AI tags</p>
        <ul class="chips">
          ${aiTags.map(
            (tag) => html`<li key=${`${tag.source}:${tag.name}`}>
              <button type="button" class=${`chip chip-ai chip-${tag.source}`} onClick=${() => onSearch({ name: tag.name, kind: 'ai' })}>
                <span class="visually-hidden">Search for AI tag </span>${tag.name}${' '}<span class="chip-meta">${EXTENSION_LABELS[tag.source]?.short ?? tag.source} ${tag.confidence}%</span>
              </button>
            </li>`,
          )}
        </ul>
      </div>`
    }
    ${
      userTags.length > 0 &&
      html`<div class="tag-group">
        <p class="tag-group-label">Tags</p>
        <ul class="chips">
          ${userTags.map(
            (tag) => html`<li key=${tag}>
              <button type="button" class="chip chip-user" onClick=${() => onSearch({ name: tag, kind: 'user' })}>
                <span class="visually-hidden">Search for tag </span>${tag}
              </button>
            </li>`,
          )}
        </ul>
      </div>`
    }
  </div>`;
}
