import { html } from 'htm/preact';
import type { FileObject } from '../api.js';
import { dimensionsText, formatText, sizeText } from '../file-facts.js';
import { ExtensionStatus } from './extension-status.js';
import { TagChips, type TagSearchRequest } from './tag-chips.js';

export interface FileCardProps {
  file: FileObject;
  selected: boolean;
  onSelect: (fileId: string, selected: boolean) => void;
  onOpen: (fileId: string) => void;
  onSearch: (request: TagSearchRequest) => void;
}

/** One file of the grid: a checkbox to select it, its thumbnail and name (which open its details), status and tags. */
export function FileCard({ file, selected, onSelect, onOpen, onSearch }: FileCardProps) {
  const folder = file.filePath.slice(0, -file.name.length);
  const facts = [folder !== '/' && folder, sizeText(file.size), dimensionsText(file), file.isPrivateFile && 'private'].filter(Boolean).join(' · ');
  return html`<li class=${`card${selected ? ' card-selected' : ''}`} data-file-id=${file.fileId}>
    <input
      class="card-select"
      type="checkbox"
      aria-label=${`Select ${file.name}`}
      checked=${selected}
      onChange=${(event: Event) => onSelect(file.fileId, (event.currentTarget as HTMLInputElement).checked)}
    />
    <button type="button" class="card-open" onClick=${() => onOpen(file.fileId)}>
      ${
        file.thumbnail
          ? html`<img class="thumb" src=${file.thumbnail} alt="" loading="lazy" />`
          : html`<span class="thumb thumb-none" aria-hidden="true">${formatText(file.mime)}</span>`
      }
      <span class="card-name">${file.name}</span>
    </button>
    <p class="card-facts">${facts}</p>
    <${ExtensionStatus} file=${file} />
    <${TagChips} file=${file} onSearch=${onSearch} />
  </li>`;
}
