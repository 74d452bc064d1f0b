import { useRef, useState } from 'preact/hooks';
import type { ApiClient, ApiFailure, FileObject, UploadOptions, UploadResult } from './api.js';

export type UploadState = 'queued' | 'uploading' | 'stored' | 'failed';

/** One file given to the upload panel: queued, uploading, then stored (the answer, kept current while pending) or failed. */
export interface UploadRow {
  id: number;
  fileName: string;
  state: UploadState;
  result?: UploadResult;
  failure?: ApiFailure;
}

export interface UploadQueue {
  rows: readonly UploadRow[];
  /** Queues the files with the options chosen now; they go one at a time, after any queued before. */
  enqueue: (files: File[], options: UploadOptions) => void;
  /** A newer read of a stored file (its pending extensions turning final). */
  showFile: (file: FileObject) => void;
  /** A stored file deleted meanwhile: nothing left to wait for. */
  forgetFile: (fileId: string) => void;
}

const uploadView = (file: FileObject): UploadResult => ({
  fileId: file.fileId,
  name: file.name,
  filePath: file.filePath,
  AITags: file.AITags,
  extensionStatus: file.extensionStatus,
  extensionErrors: file.extensionErrors,
});

/** The page's uploads, newest batch first; `onBatchDone` runs once each batch has been sent. */
export function useUploadQueue(client: ApiClient, failureOf: (error: unknown) => ApiFailure, onBatchDone: () => void): UploadQueue {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const nextId = useRef(1);
  // One file at a time across batches: a second drop waits its turn instead of racing the first.
  const queue = useRef<Promise<void>>(Promise.resolve());
  const latest = useRef({ client, failureOf, onBatchDone });
  latest.current = { client, failureOf, onBatchDone };

  const settle = (id: number, change: Partial<UploadRow>) =>
    setRows((current) => current.map((row) => (row.id === id ? { ...row, ...change } : row)));
  const enqueue = (files: File[], options: UploadOptions) => {
    const batch = files.map((file) => ({ id: nextId.current++, file }));
    setRows((current) => [...batch.map(({ id, file }): UploadRow => ({ id, fileName: file.name, state: 'queued' })), ...current]);
    queue.current = queue.current.then(async () => {
      for (const { id, file } of batch) {
        settle(id, { state: 'uploading' });
        try {
          settle(id, { state: 'stored', result: await latest.current.client.upload(file, options) });
        } catch (error) {
          settle(id, { state: 'failed', failure: latest.current.failureOf(error) });
        }
      }
      latest.current.onBatchDone();
    });
  };
  const showFile = (file: FileObject) =>
    setRows((current) => current.map((row) => (row.result?.fileId === file.fileId ? { ...row, result: uploadView(file) } : row)));
  const forgetFile = (fileId: string) =>
    setRows((current) =>
      current.map((row) =>
        row.result?.fileId === fileId && row.result.extensionStatus ? { ...row, result: { ...row.result, extensionStatus: {} } } : row,
      ),
    );
  return { rows, enqueue, showFile, forgetFile };
}
