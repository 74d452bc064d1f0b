import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient, ApiFailure, FileObject, TagPolicy } from '../api.js';
import type { Availability } from '../extension-availability.js';
import { defaultChoice, type ExtensionChoice, toExtensions } from '../extension-choice.js';
import { dimensionsText, sizeText } from '../file-facts.js';
import { hasPendingExtension } from '../pending-refresh.js';
import { parseTagList } from '../search-terms.js';
import { hasTagName, withoutTagName, withTagName } from '../tag-names.js';
import { excludeTag, PolicyConflict } from '../tag-policy.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ErrorNotice } from './error-notice.js';
import { ExtensionFields } from './extension-fields.js';
import { ExtensionStatus } from './extension-status.js';
import { TagChips, type TagSearchRequest } from './tag-chips.js';
import { AITagActions, RejectedTags } from './tag-review.js';

export interface FileDetailsProps {
  client: ApiClient;
  file: FileObject;
  availability: Availability;
  /** The updated file, after a PATCH: the grid shows it at once. */
  onFile: (file: FileObject) => void;
  /** The file is gone (DELETE answered): the library closes the dialog and reads the grid again. */
  onDeleted: (file: FileObject) => void;
  onSearch: (request: TagSearchRequest) => void;
  /** Turns what a call threw into what to show (a 401 sends the user back to the key form instead). */
  failureOf: (error: unknown) => ApiFailure;
  onClose: () => void;
}

/** A message that holds only while the file has a pending extension. */
const RERUN_STARTED = 'Auto-tagging started: the statuses below update until final.';

/**
 * One file in a modal dialog: its facts, auto-tagging status and tags, a form to edit its user tags, one
 * to run auto-tagging again (PATCH /v1/files/:id/details), each AI tag's review (reject, keep as a user tag,
 * never suggest: the library's tag policy, after a confirmation) with its rejected tags, and Delete (after a confirmation). The header
 * with Close and Delete, and the messages, stay in view while the rest scrolls inside the dialog. The native dialog keeps
 * focus inside, closes on Escape and gives focus back to the card that opened it.
 */
export function FileDetails({ client, file, availability, onFile, onDeleted, onSearch, failureOf, onClose }: FileDetailsProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [tagsText, setTagsText] = useState((file.tags ?? []).join(', '));
  const [choice, setChoice] = useState<ExtensionChoice>(() => defaultChoice(availability));
  const [removeFirst, setRemoveFirst] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  /** The AI tag name whose "Never suggest" awaits confirmation. */
  const [neverSuggesting, setNeverSuggesting] = useState<string>();
  /** A "Never suggest" another editor's save refused (409): the name, and the newer policy to apply it to. */
  const [conflict, setConflict] = useState<{ name: string; newer: TagPolicy }>();
  const [failure, setFailure] = useState<ApiFailure>();
  const [done, setDone] = useState('');
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);
  const pending = hasPendingExtension(file);
  useEffect(() => {
    if (!pending) setDone((current) => (current === RERUN_STARTED ? '' : current));
  }, [pending]);
  const close = () => dialog.current?.close();

  const update = async (event: Event | undefined, change: Parameters<ApiClient['updateDetails']>[1], doneText: string) => {
    event?.preventDefault();
    setBusy(true);
    setFailure(undefined);
    setConflict(undefined);
    setDone('');
    try {
      const updated = await client.updateDetails(file.fileId, change);
      onFile(updated);
      if (change.tags) setTagsText((updated.tags ?? []).join(', '));
      if (doneText !== RERUN_STARTED || hasPendingExtension(updated)) setDone(doneText);
    } catch (error) {
      setFailure(failureOf(error));
    } finally {
      setBusy(false);
    }
  };
  const saveTags = (event: Event) => update(event, { tags: parseTagList(tagsText) }, 'Tags saved.');
  const rerun = (event: Event) =>
    update(event, { extensions: toExtensions(choice), ...(removeFirst && { removeAITags: 'all' as const }) }, RERUN_STARTED);
  // No `extensions`: the API then remembers the name as rejected for this file.
  const reject = (name: string) => update(undefined, { removeAITags: [name] }, `${name} removed from this file; no run adds it here again.`);
  const keep = (name: string) => {
    const tags = file.tags ?? [];
    if (hasTagName(tags, name)) return setDone(`${name} is already one of this file’s tags.`);
    return update(undefined, { tags: withTagName(tags, name) }, `${name} kept as a tag.`);
  };
  const allow = (name: string) =>
    update(undefined, { rejectedAITags: withoutTagName(file.rejectedAITags ?? [], name) }, `${name} allowed again: the next run may add it.`);
  const neverSuggest = async (name: string, newer?: TagPolicy) => {
    setFailure(undefined);
    setConflict(undefined);
    setDone('');
    try {
      const outcome = await excludeTag(client, name, newer);
      setDone(
        outcome === 'added'
          ? `${name} added to the library’s tag policy: no future run suggests it.`
          : `${name} was already excluded by the library’s tag policy.`,
      );
    } catch (error) {
      if (error instanceof PolicyConflict) {
        setFailure(error.failure);
        setConflict({ name, newer: error.newer });
      } else setFailure(failureOf(error));
    }
  };
  // Told once the confirmation has closed, so the library closes this dialog after it, not under it.
  const deleted = useRef(false);
  const remove = async () => {
    setFailure(undefined);
    setDone('');
    try {
      await client.deleteFile(file.fileId);
      deleted.current = true;
    } catch (error) {
      setFailure(failureOf(error));
    }
  };

  const dimensions = dimensionsText(file);
  return html`<dialog ref=${dialog} class="details" aria-labelledby="details-title" onClose=${onClose}>
    <div class="details-header">
      <h2 id="details-title" class="details-title">${file.name}</h2>
      <div class="details-actions">
        <button type="button" class="button button-danger" disabled=${busy} onClick=${() => setConfirming(true)}>Delete</button>
        <button type="button" class="button" onClick=${close}>Close</button>
      </div>
    </div>
    <${ErrorNotice} failure=${failure}>
      ${
        conflict &&
        html`<p class="notice-help">Someone else saved the tag policy first; the newer policy has been read, nothing of theirs is lost.</p>
          <button type="button" class="button button-quiet" disabled=${busy} onClick=${() => neverSuggest(conflict.name, conflict.newer)}>
            Try again: never suggest ${conflict.name}
          </button>`
      }
    </${ErrorNotice}>
    <p class="done" role="status">${done}</p>
    <div class="details-scroll">
      <div class=${`details-body${file.thumbnail ? '' : ' details-body-facts'}`}>
        ${file.thumbnail ? html`<img class="details-preview" src=${file.thumbnail} alt=${file.name} />` : null}
        <dl class="facts">
          <dt>File ID</dt><dd class="code">${file.fileId}</dd>
          <dt>Path</dt><dd class="code">${file.filePath}</dd>
          <dt>Type</dt><dd>${file.mime}</dd>
          <dt>Size</dt><dd>${sizeText(file.size)}${dimensions && ` · ${dimensions} px`}</dd>
          <dt>Private</dt><dd>${file.isPrivateFile ? 'yes' : 'no'}</dd>
          <dt>Created</dt><dd>${new Date(file.createdAt).toLocaleString()}</dd>
          <dt>Updated</dt><dd>${new Date(file.updatedAt).toLocaleString()}</dd>
          <dt>URL</dt><dd><a href=${file.url} target="_blank" rel="noopener noreferrer">Open the file</a></dd>
        </dl>
      </div>
      <${ExtensionStatus} file=${file} full=${true} />
      <${TagChips}
        file=${file}
        onSearch=${(request: TagSearchRequest) => {
          onSearch(request);
          close();
        }}
        aiActions=${(name: string) =>
          html`<${AITagActions} name=${name} busy=${busy} onReject=${reject} onKeep=${keep} onNeverSuggest=${setNeverSuggesting} />`}
      />
      <${RejectedTags} names=${file.rejectedAITags ?? []} busy=${busy} onAllow=${allow} />
      <form class="details-form" onSubmit=${saveTags}>
        <h3>Tags</h3>
        <label class="field-label" for="details-tags">User tags, comma-separated</label>
        <div class="inline-fields">
          <input id="details-tags" class="input field-grow" value=${tagsText} onInput=${(event: Event) => setTagsText((event.currentTarget as HTMLInputElement).value)} />
          <button type="submit" class="button button-primary" disabled=${busy}>Save tags</button>
        </div>
      </form>
      <form class="details-form" onSubmit=${rerun}>
        <h3>Run auto-tagging again</h3>
        <${ExtensionFields} legend="Extensions" choice=${choice} onChange=${setChoice} availability=${availability} />
        <div class="check">
          <input id="details-remove-first" type="checkbox" checked=${removeFirst} onChange=${(event: Event) => setRemoveFirst((event.currentTarget as HTMLInputElement).checked)} />
          <label for="details-remove-first">Remove all AI tags first (otherwise each extension run replaces its own source's tags)</label>
        </div>
        <button type="submit" class="button button-primary" disabled=${busy || choice.names.length === 0}>Run auto-tagging</button>
      </form>
    </div>
    ${
      confirming &&
      html`<${ConfirmDialog}
        title=${`Delete ${file.name}?`}
        confirmLabel="Delete the file"
        busyLabel="Deleting…"
        onConfirm=${remove}
        onClose=${() => (deleted.current ? onDeleted(file) : setConfirming(false))}
      >
        <p>The file, its thumbnail and its tags are removed for good.</p>
      </${ConfirmDialog}>`
    }
    ${
      neverSuggesting &&
      html`<${ConfirmDialog}
        title=${`Never suggest ${neverSuggesting}?`}
        confirmLabel=${`Never suggest ${neverSuggesting}`}
        busyLabel="Saving…"
        onConfirm=${() => neverSuggest(neverSuggesting)}
        onClose=${() => setNeverSuggesting(undefined)}
      >
        <p>
          ${neverSuggesting} is added to the library’s tag policy (its exclude list): it applies to every future run in the library, on every file,
          not only this one. Tags already stored stay until their files are tagged again.
        </p>
      </${ConfirmDialog}>`
    }
  </dialog>`;
}
