import { html } from 'htm/preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type ApiClient, type ApiFailure, type FileObject, type SavedExtension, toFailure } from '../api.js';
import type { Availability } from '../extension-availability.js';
import { hasPendingExtension, usePendingRefresh } from '../pending-refresh.js';
import { readSearchBox } from '../search-box.js';
import { tagSearch } from '../search-terms.js';
import { DEFAULT_SORT } from '../sorts.js';
import { useUploadQueue } from '../upload-queue.js';
import { BulkActions } from './bulk-actions.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ErrorNotice } from './error-notice.js';
import { FileCard } from './file-card.js';
import { FileDetails } from './file-details.js';
import { Pager } from './pager.js';
import { SearchBar } from './search-bar.js';
import { openSearchHelp, SEARCH_HELP_ID } from './search-help.js';
import type { TagSearchRequest } from './tag-chips.js';
import { TagPolicyPanel } from './tag-policy-panel.js';
import { UploadPanel } from './upload-panel.js';

export const PAGE_SIZE = 24;
/** POST /v1/files/batch/deleteByFileIds takes at most this many ids. */
const DELETE_BATCH = 100;

export interface LibraryProps {
  client: ApiClient;
  onForgetKey: () => void;
  /** The key was refused (401): back to the key form, with the page's message. */
  onUnauthorized: (failure: ApiFailure) => void;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The media library once the key is known: upload, search and sort, the grid with paging, bulk actions, one file's details. */
export function Library({ client, onForgetKey, onUnauthorized }: LibraryProps) {
  const [searchText, setSearchText] = useState('');
  const reading = useMemo(() => readSearchBox(searchText), [searchText]);
  const [sort, setSort] = useState<string>(DEFAULT_SORT);
  const [page, setPage] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [files, setFiles] = useState<FileObject[]>();
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<ApiFailure>();
  /** The failure came from the search: it shows with the syntax help's link. */
  const [searchFailed, setSearchFailed] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkBusy, setBulkBusy] = useState(false);
  const [done, setDone] = useState('');
  const [openFileId, setOpenFileId] = useState<string>();
  /** The files a bulk delete asks about, as they were selected when it was asked. */
  const [bulkDelete, setBulkDelete] = useState<{ fileIds: string[]; names: string[] }>();
  const bulkDeleted = useRef(false);
  const [keyAccepted, setKeyAccepted] = useState(false);
  const [availability, setAvailability] = useState<Availability>({});
  const [savedExtensions, setSavedExtensions] = useState<SavedExtension[]>([]);
  const [statusReads, setStatusReads] = useState(0);
  const [focusFiles, setFocusFiles] = useState(0);
  const filesHeading = useRef<HTMLHeadingElement>(null);

  const failureOf = useCallback(
    (error: unknown): ApiFailure => {
      const failure = toFailure(error);
      if (failure.status === 401) onUnauthorized(failure);
      return failure;
    },
    [onUnauthorized],
  );
  const report = (error: unknown) => {
    setSearchFailed(false);
    setFailure(failureOf(error));
  };
  const reload = () => setReloads((count) => count + 1);

  useEffect(() => {
    let current = true;
    setLoading(true);
    client.listFiles({ searchQuery: reading.query, sort, limit: PAGE_SIZE + 1, skip: page * PAGE_SIZE }).then(
      (found) => {
        if (!current) return;
        setKeyAccepted(true);
        // The last files of a later page deleted: show the page before instead of an empty one.
        if (found.length === 0 && page > 0) return setPage(page - 1);
        setFiles(found.slice(0, PAGE_SIZE));
        setHasNext(found.length > PAGE_SIZE);
        setLoading(false);
      },
      (error: unknown) => {
        if (!current) return;
        setFiles(undefined);
        setHasNext(false);
        setLoading(false);
        report(error);
        setSearchFailed(reading.kind !== 'all' && toFailure(error).status === 400);
      },
    );
    return () => {
      current = false;
    };
  }, [client, reading, sort, page, reloads]);

  // Which extensions can run here: read once the key is accepted, and again after each batch of uploads (a last failure may be new).
  useEffect(() => {
    if (!keyAccepted) return;
    let current = true;
    client.getAvailability().then(
      (read) => current && setAvailability(read),
      // Without it every extension counts as available: only a refused key is worth saying.
      (error: unknown) => current && toFailure(error).status === 401 && failureOf(error),
    );
    // The saved extensions to offer on upload; a server without them (404) offers none.
    client.listSavedExtensions().then(
      (listed) => current && setSavedExtensions(listed),
      (error: unknown) => current && toFailure(error).status === 401 && failureOf(error),
    );
    return () => {
      current = false;
    };
  }, [client, keyAccepted, statusReads]);

  useEffect(() => {
    if (focusFiles) filesHeading.current?.focus();
  }, [focusFiles]);

  const uploads = useUploadQueue(client, failureOf, () => {
    reload();
    setStatusReads((count) => count + 1);
  });
  const showFile = (file: FileObject) => {
    setFiles((shown) => shown?.map((each) => (each.fileId === file.fileId ? file : each)));
    uploads.showFile(file);
  };
  usePendingRefresh(client, {
    pendingIds: [...(files ?? []), ...uploads.rows.flatMap((row) => (row.result ? [row.result] : []))]
      .filter(hasPendingExtension)
      .map((file) => file.fileId),
    onFile: showFile,
    onFailure: (error, fileId) => {
      // Deleted meanwhile: nothing left to wait for, and nothing to report.
      if (toFailure(error).status === 404) {
        setFiles((shown) => shown?.filter((each) => each.fileId !== fileId));
        uploads.forgetFile(fileId);
      } else report(error);
    },
  });

  /** A new search: what the last one said, and the files picked in it, no longer hold. */
  const search = (text: string) => {
    setFailure(undefined);
    setDone('');
    setSelected(new Set());
    setSearchText(text);
    setPage(0);
    // The same search again reads the files again.
    reload();
  };
  const sortBy = (value: string) => {
    setSort(value);
    setPage(0);
  };
  const searchTag = (request: TagSearchRequest) => search(tagSearch(request.name, request.kind));

  const applyBulk = async (operation: 'add' | 'remove', tags: string[]): Promise<boolean> => {
    setBulkBusy(true);
    setDone('');
    setFailure(undefined);
    try {
      const fileIds = [...selected];
      const { successfullyUpdatedFileIds } = await (operation === 'add' ? client.addTags(fileIds, tags) : client.removeTags(fileIds, tags));
      const count = successfullyUpdatedFileIds.length;
      setDone(
        `${operation === 'add' ? 'Added' : 'Removed'} ${tags.join(', ')} ${operation === 'add' ? 'to' : 'from'} ${plural(fileIds.length, 'file')}${count < fileIds.length ? ` (${fileIds.length - count} already ${operation === 'add' ? 'had' : 'lacked'} them)` : ''}.`,
      );
      reload();
      return true;
    } catch (error) {
      report(error);
      return false;
    } finally {
      setBulkBusy(false);
    }
  };

  /** Ids another client deleted meanwhile make the API change nothing (404 with missingFileIds): those are left out and the rest sent again. */
  const deleteBatch = async (fileIds: string[]): Promise<{ deleted: string[]; gone: string[] }> => {
    try {
      return { deleted: (await client.deleteFiles(fileIds)).successfullyDeletedFileIds, gone: [] };
    } catch (error) {
      const { status, missingFileIds } = toFailure(error);
      if (status !== 404 || !missingFileIds.length) throw error;
      const rest = fileIds.filter((id) => !missingFileIds.includes(id));
      return { deleted: rest.length ? (await client.deleteFiles(rest)).successfullyDeletedFileIds : [], gone: [...missingFileIds] };
    }
  };
  const deleteSelected = async (fileIds: string[]) => {
    setBulkBusy(true);
    setDone('');
    setFailure(undefined);
    const deleted: string[] = [];
    let gone = 0;
    try {
      for (let start = 0; start < fileIds.length; start += DELETE_BATCH) {
        const outcome = await deleteBatch(fileIds.slice(start, start + DELETE_BATCH));
        deleted.push(...outcome.deleted, ...outcome.gone);
        gone += outcome.gone.length;
      }
      setDone(`Deleted ${plural(deleted.length - gone, 'file')}${gone ? ` (${gone} already gone)` : ''}.`);
    } catch (error) {
      report(error);
    } finally {
      setSelected((current) => new Set([...current].filter((id) => !deleted.includes(id))));
      setBulkBusy(false);
      bulkDeleted.current = deleted.length > 0;
      if (deleted.length) reload();
    }
  };
  const fileDeleted = (file: FileObject) => {
    setOpenFileId(undefined);
    setDone(`Deleted ${file.name}.`);
    setSelected((current) => new Set([...current].filter((id) => id !== file.fileId)));
    uploads.forgetFile(file.fileId);
    reload();
    setFocusFiles((count) => count + 1);
  };

  const select = (fileId: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(fileId);
      else next.delete(fileId);
      return next;
    });
  const shown = files ?? [];
  const allOnPageSelected = shown.length > 0 && shown.every((file) => selected.has(file.fileId));
  const selectPage = (on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      for (const file of shown) {
        if (on) next.add(file.fileId);
        else next.delete(file.fileId);
      }
      return next;
    });
  const openFile = shown.find((file) => file.fileId === openFileId);
  const askBulkDelete = () => {
    bulkDeleted.current = false;
    setBulkDelete({ fileIds: [...selected], names: shown.filter((file) => selected.has(file.fileId)).map((file) => file.name) });
  };

  return html`<div class="layout">
    <header class="top-bar">
      <h1 class="top-title"><img class="logo" src="/assets/favicon.svg" alt="" width="28" height="28" /> aitags media library</h1>
      <button type="button" class="button button-quiet" onClick=${onForgetKey}>Forget the key</button>
    </header>
    <main class="content">
      <${UploadPanel} rows=${uploads.rows} availability=${availability} savedExtensions=${savedExtensions} onUpload=${uploads.enqueue} />
      <${TagPolicyPanel} client=${client} failureOf=${failureOf} />
      <section class="panel files" aria-labelledby="files-heading">
        <h2 id="files-heading" ref=${filesHeading} tabindex="-1">Files</h2>
        <${SearchBar} text=${searchText} reading=${reading} sort=${sort} onSearch=${search} onSort=${sortBy} />
        <${ErrorNotice} failure=${failure} onDismiss=${() => setFailure(undefined)}>
          ${
            searchFailed &&
            html`<p class="notice-help">
              How to write a search: <a href=${`#${SEARCH_HELP_ID}`} onClick=${openSearchHelp}>Search syntax</a> (in full: README, "Find files by their
              tags").
            </p>`
          }
        </${ErrorNotice}>
        <${BulkActions}
          selectedCount=${selected.size}
          pageCount=${shown.length}
          allOnPageSelected=${allOnPageSelected}
          busy=${bulkBusy}
          onSelectPage=${selectPage}
          onClear=${() => setSelected(new Set())}
          onApply=${applyBulk}
          onDelete=${askBulkDelete}
        />
        <p class="done" role="status">${done}</p>
        <div class="grid-area" aria-busy=${loading ? 'true' : 'false'}>
          ${
            files &&
            (files.length
              ? html`<ul class="grid" aria-label=${reading.query ? `Files matching ${reading.query}` : 'All files'}>
                  ${files.map(
                    (file) =>
                      html`<${FileCard}
                        key=${file.fileId}
                        file=${file}
                        selected=${selected.has(file.fileId)}
                        onSelect=${select}
                        onOpen=${setOpenFileId}
                        onSearch=${searchTag}
                      />`,
                  )}
                </ul>`
              : html`<p class="empty">${reading.query || page > 0 ? 'No files match.' : 'No files yet: upload one above.'}</p>`)
          }
          ${loading && !files && html`<p class="empty">Loading…</p>`}
        </div>
        <${Pager} page=${page} pageSize=${PAGE_SIZE} shown=${shown.length} hasNext=${hasNext} onPage=${setPage} />
      </section>
    </main>
    ${
      openFile &&
      html`<${FileDetails}
        key=${openFile.fileId}
        client=${client}
        file=${openFile}
        availability=${availability}
        onFile=${showFile}
        onDeleted=${fileDeleted}
        onSearch=${searchTag}
        failureOf=${failureOf}
        onClose=${() => setOpenFileId(undefined)}
      />`
    }
    ${
      bulkDelete &&
      html`<${ConfirmDialog}
        title=${`Delete ${plural(bulkDelete.fileIds.length, 'selected file')}?`}
        confirmLabel=${`Delete ${plural(bulkDelete.fileIds.length, 'file')}`}
        busyLabel="Deleting…"
        onConfirm=${() => deleteSelected(bulkDelete.fileIds)}
        onClose=${() => {
          setBulkDelete(undefined);
          // The button that opened it is disabled now that nothing is selected: focus goes to the grid's heading.
          if (bulkDeleted.current) setFocusFiles((count) => count + 1);
        }}
      >
        <p>
          ${bulkDelete.fileIds.length === 1 ? 'The file, its thumbnail and its tags are' : 'The files, their thumbnails and their tags are'} removed for
          good.
        </p>
        ${
          bulkDelete.names.length > 0 &&
          html`<p>
            ${bulkDelete.names.length < bulkDelete.fileIds.length ? 'On this page: ' : ''}${bulkDelete.names.join(', ')}${bulkDelete.names.length < bulkDelete.fileIds.length ? ', and others on other pages.' : '.'}
          </p>`
        }
      </${ConfirmDialog}>`
    }
  </div>`;
}
