import { html } from 'htm/preact';
import type { ComponentChildren } from 'preact';
import type { FileObject } from '../api.js';
import { EXTENSION_LABELS } from '../extension-choice.js';
import { mergeAITags, percentText } from '../merged-ai-tags.js';

export interface TagSearchRequest {
  name: string;
  kind: 'user' | 'ai';
}

export interface TagChipsProps {
  file: Pick<FileObject, 'tags' | 'AITags'>;
  onSearch: (request: TagSearchRequest) => void;
  /** Shown after each AI chip (the details dialog's review actions). */
  aiActions?: (name: string) => ComponentChildren;
}

/**
 * A file's AI tags, one chip per name with each source's confidence, and apart its user tags; a click
 * searches for the tag.
 */
export function TagChips({ file, onSearch, aiActions }: TagChipsProps) {
  const aiTags = mergeAITags(file.AITags ?? []);
  const userTags = file.tags ?? [];
  return html`<div class="tag-groups">
    ${
      aiTags.length > 0 &&
      html`<div class="tag-group">
        <p class="tag-group-label">AI tags</p>
        <ul class="chips">
          ${aiTags.map(
            (tag) => html`<li key=${tag.name.toLowerCase()} class=${aiActions ? 'chip-row' : undefined}>
              <button
                type="button"
                class="chip chip-ai"
                title=${tag.sources.map(({ source, confidence }) => `${EXTENSION_LABELS[source]?.provider ?? source}: ${confidence}%`).join('\n')}
                onClick=${() => onSearch({ name: tag.name, kind: 'ai' })}
              >
                <span class="visually-hidden">Search for AI tag </span>${tag.name}${tag.sources.map(
                  ({ source, confidence }) =>
                    html`<span key=${source} class=${`chip-meta chip-${source}`}> · ${EXTENSION_LABELS[source]?.short ?? source} ${percentText(confidence)}</span>`,
                )}
              </button>
              ${aiActions?.(tag.name)}
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
