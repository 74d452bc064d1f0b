import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type ApiClient, type ApiFailure, type FileObject, toFailure, type UploadResult } from '../api.js';
import { type ExtensionChoice, toExtensions } from '../extension-choice.js';
import { hasPendingExtension, usePendingRefresh } from '../pending-refresh.js';
import { tagSearch } from '../search-terms.js';
import { DEFAULT_SORT } from '../sorts.js';
import { BulkTags } from './bulk-tags.js';
import { ErrorNotice } from './error-notice.js';
import { FileCard } from './file-card.js';
import { FileDetails } from './file-details.js';
import { Pager } from './pager.js';
import { SearchBar } from './search-bar.js';
import type { TagSearchRequest } from './tag-chips.js';
import { type UploadRow, UploadPanel } from './upload-panel.js';

export const PAGE_SIZE = 24;

export interface LibraryProps {
  client: ApiClient;
  onForgetKey: () => void;
  /** The key was refused (401): back to the key form, with the API's message. */
  onUnauthorized: (failure: ApiFailure) => void;
}

const uploadView = (file: FileObject): UploadResult => ({
  fileId: file.fileId,
  name: file.name,
  filePath: file.filePath,
  AITags: file.AITags,
  extensionStatus: file.extensionStatus,
  extensionErrors: file.extensionErrors,
});

/** The media library once the key is known: upload, search and sort, the grid with paging, bulk tags, one file's details. */
export function Library({ client, onForgetKey, onUnauthorized }: LibraryProps) {
  const [searchQuery, setSearchQuery] = useState('');
  const [sort, setSort] = useState<string>(DEFAULT_SORT);
  const [page, setPage] = useState(0);
  const [reloads, setReloads] = useState(0);
  const [files, setFiles] = useState<FileObject[]>();
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(true);
  const [failure, setFailure] = useState<ApiFailure>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [bulkBusy, setBulkBusy] = useState(false);
  const [bulkDone, setBulkDone] = useState('');
  const [openFileId, setOpenFileId] = useState<string>();
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const nextUploadId = useRef(1);

  const failureOf = useCallback(
    (error: unknown): ApiFailure => {
      const failure = toFailure(error);
      if (failure.status === 401) onUnauthorized(failure);
      return failure;
    },
    [onUnauthorized],
  );
  const report = (error: unknown) => setFailure(failureOf(error));

  useEffect(() => {
    let current = true;
    setLoading(true);
    client.listFiles({ searchQuery, sort, limit: PAGE_SIZE + 1, skip: page * PAGE_SIZE }).then(
      (found) => {
        if (!current) return;
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
      },
    );
    return () => {
      current = false;
    };
  }, [client, searchQuery, sort, page, reloads]);

  const showFile = (file: FileObject) => {
    setFiles((shown) => shown?.map((each) => (each.fileId === file.fileId ? file : each)));
    setUploads((rows) => rows.map((row) => (row.result?.fileId === file.fileId ? { ...row, result: uploadView(file) } : row)));
  };
  const forgetFile = (fileId: string) => {
    setFiles((shown) => shown?.filter((each) => each.fileId !== fileId));
    setUploads((rows) =>
      rows.map((row) =>
        row.result?.fileId === fileId && row.result.extensionStatus ? { ...row, result: { ...row.result, extensionStatus: {} } } : row,
      ),
    );
  };
  usePendingRefresh(client, {
    pendingIds: [...(files ?? []), ...uploads.flatMap((row) => (row.result ? [row.result] : []))]
      .filter(hasPendingExtension)
      .map((file) => file.fileId),
    onFile: showFile,
    onFailure: (error, fileId) => {
      report(error);
      // Deleted meanwhile: nothing left to wait for.
      if (toFailure(error).status === 404) forgetFile(fileId);
    },
  });

  const search = (query: string) => {
    setFailure(undefined);
    setSearchQuery(query);
    setPage(0);
    // The same query again reads the files again.
    setReloads((count) => count + 1);
  };
  const sortBy = (value: string) => {
    setSort(value);
    setPage(0);
  };
  const searchTag = (request: TagSearchRequest) => search(tagSearch(request.name, request.kind));

  const upload = async (chosen: File[], choice: ExtensionChoice) => {
    const extensions = toExtensions(choice);
    for (const file of chosen) {
      const id = nextUploadId.current++;
      setUploads((rows) => [{ id, fileName: file.name }, ...rows]);
      const settle = (change: Partial<UploadRow>) => setUploads((rows) => rows.map((row) => (row.id === id ? { ...row, ...change } : row)));
      try {
        settle({ result: await client.upload(file, extensions) });
      } catch (error) {
        settle({ failure: failureOf(error) });
      }
    }
    setReloads((count) => count + 1);
  };

  const applyBulk = async (operation: 'add' | 'remove', tags: string[]): Promise<boolean> => {
    setBulkBusy(true);
    setBulkDone('');
    setFailure(undefined);
    try {
      const fileIds = [...selected];
      const { successfullyUpdatedFileIds } = await (operation === 'add' ? client.addTags(fileIds, tags) : client.removeTags(fileIds, tags));
      const count = successfullyUpdatedFileIds.length;
      setBulkDone(
        `${operation === 'add' ? 'Added' : 'Removed'} ${tags.join(', ')} ${operation === 'add' ? 'to' : 'from'} ${fileIds.length} file${fileIds.length === 1 ? '' : 's'}${count < fileIds.length ? ` (${fileIds.length - count} already ${operation === 'add' ? 'had' : 'lacked'} them)` : ''}.`,
      );
      setReloads((reload) => reload + 1);
      return true;
    } catch (error) {
      report(error);
      return false;
    } finally {
      setBulkBusy(false);
    }
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

  return html`<div class="layout">
    <header class="top-bar">
      <h1 class="top-title"><img class="logo" src="/assets/favicon.svg" alt="" width="28" height="28" /> aitags media library</h1>
      <button type="button" class="button button-quiet" onClick=${onForgetKey}>Forget the key</button>
    </header>
    <main class="content">
      <${UploadPanel} rows=${uploads} onUpload=${upload} />
      <section class="panel files" aria-labelledby="files-heading">
        <h2 id="files-heading">Files</h2>
        <${SearchBar} searchQuery=${searchQuery} sort=${sort} onSearch=${search} onSort=${sortBy} />
        <${ErrorNotice} failure=${failure} onDismiss=${() => setFailure(undefined)} />
        <${BulkTags}
          selectedCount=${selected.size}
          pageCount=${shown.length}
          allOnPageSelected=${allOnPageSelected}
          busy=${bulkBusy}
          onSelectPage=${selectPage}
          onClear=${() => setSelected(new Set())}
          onApply=${applyBulk}
        />
        <p class="done" role="status">${bulkDone}</p>
        <div class="grid-area" aria-busy=${loading ? 'true' : 'false'}>
          ${
            files &&
            (files.length
              ? html`<ul class="grid" aria-label=${searchQuery ? `Files matching ${searchQuery}` : 'All files'}>
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
              : html`<p class="empty">${searchQuery || page > 0 ? 'No files match.' : 'No files yet: upload one above.'}</p>`)
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
        onFile=${showFile}
        onSearch=${searchTag}
        failureOf=${failureOf}
        onClose=${() => setOpenFileId(undefined)}
      />`
    }
  </div>`;
}
