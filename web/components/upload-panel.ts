import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { EXTENSION_NAMES } from '../../functions/core/extension-names.js';
import type { SavedExtension, UploadOptions, UploadResult } from '../api.js';
import { type Availability, isUnavailable } from '../extension-availability.js';
import { defaultChoice, EXTENSION_LABELS, type ExtensionChoice, toExtensions } from '../extension-choice.js';
import { hasPendingExtension } from '../pending-refresh.js';
import { parseTagList } from '../search-terms.js';
import type { UploadRow, UploadState } from '../upload-queue.js';
import { ErrorNotice } from './error-notice.js';
import { ExtensionFields } from './extension-fields.js';
import { ExtensionStatus } from './extension-status.js';

export interface UploadPanelProps {
  rows: readonly UploadRow[];
  availability: Availability;
  /** The saved extensions (GET /v1/saved-extensions): one may run instead of the fields' choice. */
  savedExtensions: readonly SavedExtension[];
  onUpload: (files: File[], options: UploadOptions) => void;
}

/** A saved extension's config in words. */
function savedSummary(saved: SavedExtension): string {
  const { config } = saved;
  const policy = config.policy ? ', with a tag policy of its own' : ', with the library tag policy';
  return `${EXTENSION_LABELS[config.name].provider}: min. confidence ${config.minConfidence} %, up to ${config.maxTags} tags${policy}.`;
}

const STATE_TEXT: Record<UploadState, string> = { queued: 'queued', uploading: 'uploading…', stored: 'stored', failed: 'failed' };
const STATE_CLASS: Record<UploadState, string> = { queued: 'queued', uploading: 'pending', stored: 'success', failed: 'failed' };

/** The stored upload's outcome in words; tags still to come while an extension is pending. */
function outcome(result: UploadResult): string {
  const count = result.AITags?.length ?? 0;
  const tags = `${count} AI tag${count === 1 ? '' : 's'}`;
  return `${result.filePath}: ${hasPendingExtension(result) ? `${count ? `${tags} so far, ` : ''}tagging…` : tags}`;
}

/** Upload by drag-and-drop or a file picker, with a folder, tags, privacy and the auto-tagging choice; each file's state below. */
export function UploadPanel({ rows, availability, savedExtensions, onUpload }: UploadPanelProps) {
  const [choice, setChoice] = useState<ExtensionChoice>(() => defaultChoice(availability));
  const [savedId, setSavedId] = useState('');
  // One deleted meanwhile (or not listed yet) is no choice: back to the fields.
  const saved = savedExtensions.find((each) => each.id === savedId);
  const [folder, setFolder] = useState('');
  const [tags, setTags] = useState('');
  const [isPrivateFile, setPrivate] = useState(false);
  const [dragging, setDragging] = useState(false);
  // Untick an extension once the server says it cannot run; a later tick by hand stays.
  const unavailable = EXTENSION_NAMES.filter((name) => isUnavailable(availability, name)).join();
  useEffect(() => {
    if (unavailable) setChoice((current) => ({ ...current, names: current.names.filter((name) => !unavailable.split(',').includes(name)) }));
  }, [unavailable]);
  // A file dropped beside the drop zone would make the browser leave the page to show it.
  useEffect(() => {
    const keep = (event: DragEvent) => event.preventDefault();
    window.addEventListener('dragover', keep);
    window.addEventListener('drop', keep);
    return () => {
      window.removeEventListener('dragover', keep);
      window.removeEventListener('drop', keep);
    };
  }, []);
  const send = (files: FileList | null | undefined) => {
    if (!files?.length) return;
    const extensions = saved ? [{ name: 'saved-extension' as const, id: saved.id }] : toExtensions(choice);
    onUpload([...files], { folder, tags: parseTagList(tags), isPrivateFile, extensions });
  };
  const input = (set: (value: string) => void) => (event: Event) => set((event.currentTarget as HTMLInputElement).value);
  return html`<section class="panel upload" aria-labelledby="upload-heading">
    <h2 id="upload-heading">Upload</h2>
    <div class="upload-layout">
      <div class="upload-main">
        <div
          class=${`dropzone${dragging ? ' dropzone-active' : ''}`}
          onDragEnter=${(event: DragEvent) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragOver=${(event: DragEvent) => event.preventDefault()}
          onDragLeave=${() => setDragging(false)}
          onDrop=${(event: DragEvent) => {
            event.preventDefault();
            setDragging(false);
            send(event.dataTransfer?.files);
          }}
        >
          <input
            id="upload-files"
            class="visually-hidden"
            type="file"
            multiple
            onChange=${(event: Event) => {
              const picker = event.currentTarget as HTMLInputElement;
              send(picker.files);
              picker.value = '';
            }}
          />
          <label for="upload-files" class="button button-primary">Choose files</label>
          <p class="dropzone-hint">or drop them here</p>
        </div>
        <div class="upload-options">
          <div class="field">
            <label class="field-label" for="upload-folder">Folder</label>
            <input id="upload-folder" class="input" placeholder="/holidays" value=${folder} onInput=${input(setFolder)} />
          </div>
          <div class="field field-grow">
            <label class="field-label" for="upload-tags">Tags, comma-separated</label>
            <input id="upload-tags" class="input" placeholder="summer, beach" value=${tags} onInput=${input(setTags)} />
          </div>
          <div class="check upload-private">
            <input
              id="upload-private"
              type="checkbox"
              checked=${isPrivateFile}
              onChange=${(event: Event) => setPrivate((event.currentTarget as HTMLInputElement).checked)}
            />
            <label for="upload-private">Private (served by signed, expiring URLs only)</label>
          </div>
        </div>
      </div>
      <div class="upload-tagging">
        ${
          savedExtensions.length > 0 &&
          html`<div class="field">
            <label class="field-label" for="upload-saved">Saved extension</label>
            <select
              id="upload-saved"
              class="input"
              aria-describedby=${saved ? 'upload-saved-summary' : undefined}
              value=${saved ? saved.id : ''}
              onChange=${(event: Event) => setSavedId((event.currentTarget as HTMLSelectElement).value)}
            >
              <option value="">None: the choice below</option>
              ${savedExtensions.map((each) => html`<option key=${each.id} value=${each.id}>${each.name}</option>`)}
            </select>
            ${saved && html`<p id="upload-saved-summary" class="hint">${savedSummary(saved)}${saved.description ? ` ${saved.description}` : ''}</p>`}
          </div>`
        }
        ${!saved && html`<${ExtensionFields} legend="Auto-tagging" choice=${choice} onChange=${setChoice} availability=${availability} />`}
      </div>
    </div>
    ${
      rows.length > 0 &&
      html`<ul class="upload-rows" aria-label="Uploads" aria-live="polite">
        ${rows.map(
          (row) => html`<li key=${row.id} class="upload-row" data-state=${row.state}>
            <span class="upload-name">${row.fileName}</span>
            <span class=${`status upload-state status-${STATE_CLASS[row.state]}`}>${STATE_TEXT[row.state]}</span>
            ${row.result && html`<span class="upload-outcome">${outcome(row.result)}</span><${ExtensionStatus} file=${row.result} />`}
            ${row.failure && html`<${ErrorNotice} failure=${row.failure} />`}
          </li>`,
        )}
      </ul>`
    }
  </section>`;
}
