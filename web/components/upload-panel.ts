import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiFailure, UploadResult } from '../api.js';
import { DEFAULT_EXTENSION_CHOICE, type ExtensionChoice } from '../extension-choice.js';
import { ErrorNotice } from './error-notice.js';
import { ExtensionFields } from './extension-fields.js';
import { ExtensionStatus } from './extension-status.js';
import { hasPendingExtension } from '../pending-refresh.js';

/** One file sent from this page: uploading, then the upload's answer (kept current while its extensions are pending). */
export interface UploadRow {
  id: number;
  fileName: string;
  result?: UploadResult;
  failure?: ApiFailure;
}

export interface UploadPanelProps {
  rows: readonly UploadRow[];
  onUpload: (files: File[], choice: ExtensionChoice) => void;
}

/** The upload's outcome in words; tags still to come while an extension is pending. */
function outcome(result: UploadResult): string {
  const count = result.AITags?.length ?? 0;
  const tags = `${count} AI tag${count === 1 ? '' : 's'}`;
  return hasPendingExtension(result) ? `stored, ${count ? `${tags} so far, ` : ''}tagging…` : `stored, ${tags}`;
}

/** Upload by drag-and-drop or a file picker, with the auto-tagging choice; each upload's answer below. */
export function UploadPanel({ rows, onUpload }: UploadPanelProps) {
  const [choice, setChoice] = useState<ExtensionChoice>(DEFAULT_EXTENSION_CHOICE);
  const [dragging, setDragging] = useState(false);
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
    if (files?.length) onUpload([...files], choice);
  };
  return html`<section class="panel upload" aria-labelledby="upload-heading">
    <h2 id="upload-heading">Upload</h2>
    <div class="upload-layout">
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
            const input = event.currentTarget as HTMLInputElement;
            send(input.files);
            input.value = '';
          }}
        />
        <label for="upload-files" class="button button-primary">Choose files</label>
        <p class="dropzone-hint">or drop them here</p>
      </div>
      <${ExtensionFields} legend="Auto-tagging" choice=${choice} onChange=${setChoice} />
    </div>
    ${
      rows.length > 0 &&
      html`<ul class="upload-rows" aria-label="Uploads" aria-live="polite">
        ${rows.map(
          (row) => html`<li key=${row.id} class="upload-row">
            <span class="upload-name">${row.fileName}</span>
            ${!row.result && !row.failure && html`<span class="status status-pending">uploading…</span>`}
            ${row.result && html`<span class="upload-outcome">${outcome(row.result)}</span><${ExtensionStatus} file=${row.result} />`}
            ${row.failure && html`<${ErrorNotice} failure=${row.failure} />`}
          </li>`,
        )}
      </ul>`
    }
  </section>`;
}
