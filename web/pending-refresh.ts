import { useEffect, useRef } from 'preact/hooks';
import type { ApiClient, FileObject } from './api.js';

/** How often files with a pending extension are read again: about the sync window's granularity. */
export const PENDING_POLL_MS = 1500;

export const hasPendingExtension = (file: Pick<FileObject, 'extensionStatus'>) => Object.values(file.extensionStatus ?? {}).includes('pending');

export interface PendingRefresh {
  /** The files to read again on the next tick (those shown with a pending extension). */
  pendingIds: readonly string[];
  onFile: (file: FileObject) => void;
  onFailure: (error: unknown, fileId: string) => void;
}

/**
 * Reads each file with a pending extension (GET /v1/files/:id/details) every PENDING_POLL_MS until it is
 * final. One loop per client; the next tick is scheduled only after the previous reads have answered, so
 * a slow server never gets overlapping polls, and a hidden tab polls nothing.
 */
export function usePendingRefresh(client: ApiClient, refresh: PendingRefresh): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      const ids = [...new Set(latest.current.pendingIds)];
      if (ids.length && !document.hidden) {
        const results = await Promise.allSettled(ids.map((fileId) => client.getDetails(fileId)));
        if (stopped) return;
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') latest.current.onFile(result.value);
          else latest.current.onFailure(result.reason, ids[index] ?? '');
        });
      }
      if (!stopped) timer = setTimeout(tick, PENDING_POLL_MS);
    };
    timer = setTimeout(tick, PENDING_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client]);
}
