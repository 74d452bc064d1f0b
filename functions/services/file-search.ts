import type { FileIndex } from '../adapters/file-index.js';
import { badRequest } from '../core/errors.js';
import type { FileRecord } from '../core/file-record.js';
import { byCreation, compareForSort, type ListRequest } from '../core/list-request.js';
import { matchesSearchQuery } from '../core/search-match.js';
import { newReadCount, planSearchQuery, type ReadCount } from '../core/search-plan.js';
import type { SearchQuery } from '../core/search-query.js';

export interface SearchResult {
  /** The page: sorted, `skip` dropped, at most `limit`. */
  records: FileRecord[];
  /** How the page was found, and what it cost. */
  plan: 'index' | 'scan' | 'none';
  reads: ReadCount;
}

/**
 * `GET /v1/files`: a query the index can answer reads only the entries that can match; anything else
 * walks the files in creation order, up to a budget. Every candidate is checked against its current
 * record, so the index only ever narrows the search, never decides it.
 */
export class FileSearch {
  constructor(
    private readonly index: FileIndex,
    /** Files a search without an indexable term may check before it answers 400 (AITAGS_SEARCH_SCAN_LIMIT). */
    private readonly scanLimit: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(request: ListRequest): Promise<SearchResult> {
    const reads = newReadCount();
    if (request.foldersOnly) return { records: [], plan: 'none', reads };
    const now = this.now();
    const { query } = request;
    const matches = (record: FileRecord) => query === undefined || matchesSearchQuery(record, query, now);
    const plan = query ? planSearchQuery(query, now) : { kind: 'scan' as const };
    const found =
      plan.kind === 'index'
        ? (await this.index.records(await this.candidates(plan.lookups, reads), reads)).filter(matches)
        : await this.scan(request, matches, reads);
    const records = found.sort(compareForSort(request.sort)).slice(request.skip, request.skip + request.limit);
    return { records, plan: plan.kind, reads };
  }

  /**
   * A tagging job's selection: the ids of the files matching `query`, in creation order (ties by fileId),
   * at most `maxFiles`. Only ids and creation times are kept, so a million matches fit in memory. A search
   * that would check more than `budget` files throws SelectionTooLarge.
   */
  async selectIds(query: SearchQuery, maxFiles: number, budget: number): Promise<{ fileIds: string[]; reads: ReadCount }> {
    const reads = newReadCount();
    const now = this.now();
    const matches = (record: FileRecord) => matchesSearchQuery(record, query, now);
    const plan = planSearchQuery(query, now);
    const checked = async (fileIds: string[]) => {
      if (reads.records + fileIds.length > budget) throw new SelectionTooLarge(budget);
      return (await this.index.records(fileIds, reads)).filter(matches);
    };
    if (plan.kind === 'index') {
      const candidates = await this.candidates(plan.lookups, reads);
      const found: Array<Pick<FileRecord, 'fileId' | 'createdAt'>> = [];
      for (let start = 0; start < candidates.length; start += RECORDS_PER_READ) {
        found.push(...(await checked(candidates.slice(start, start + RECORDS_PER_READ))).map(({ fileId, createdAt }) => ({ fileId, createdAt })));
      }
      found.sort(byCreation);
      return { fileIds: found.slice(0, maxFiles).map((record) => record.fileId), reads };
    }
    const fileIds: string[] = [];
    for await (const page of this.index.walk('asc', reads, MAX_STREAMED_PAGE)) {
      for (let start = 0; start < page.length; start += RECORDS_PER_READ) {
        const found = (await checked(page.slice(start, start + RECORDS_PER_READ))).sort(byCreation);
        fileIds.push(...found.map((record) => record.fileId));
        if (fileIds.length >= maxFiles) return { fileIds: fileIds.slice(0, maxFiles), reads };
      }
    }
    return { fileIds, reads };
  }

  private async candidates(lookups: Parameters<FileIndex['candidates']>[0][], reads: ReadCount): Promise<string[]> {
    const pages = await Promise.all(lookups.map((lookup) => this.index.candidates(lookup, reads)));
    return [...new Set(pages.flat())];
  }

  /**
   * Checks files in creation order. Sorted by creation, the page is complete once `skip + limit` files
   * matched, so the walk asks for no more ids, and reads no more records, than can still be needed; any
   * other sort needs every match first.
   */
  private async scan(request: ListRequest, matches: (record: FileRecord) => boolean, reads: ReadCount): Promise<FileRecord[]> {
    const streamed = request.sort.field === 'CREATED';
    const wanted = request.skip + request.limit;
    const found: FileRecord[] = [];
    const pageSize = streamed ? Math.min(MAX_STREAMED_PAGE, Math.max(MIN_STREAMED_PAGE, wanted)) : undefined;
    for await (const fileIds of this.index.walk(request.sort.descending ? 'desc' : 'asc', reads, pageSize)) {
      for (let start = 0; start < fileIds.length; ) {
        const size = streamed ? Math.min(RECORDS_PER_READ, wanted - found.length) : RECORDS_PER_READ;
        const chunk = fileIds.slice(start, start + size);
        start += chunk.length;
        if (reads.records + chunk.length > this.scanLimit) throw scanTooLarge(this.scanLimit);
        // Records come back in no particular order: the sort below restores creation order.
        found.push(...(await this.index.records(chunk, reads)).filter(matches));
        if (streamed && found.length >= wanted) return found;
      }
    }
    return found;
  }
}

/** A selection larger than the files a request may check. */
export class SelectionTooLarge extends Error {
  constructor(readonly budget: number) {
    super(`The selection needs more than ${budget} files checked`);
    this.name = 'SelectionTooLarge';
  }
}

/** BatchGetItem's limit. */
const RECORDS_PER_READ = 100;
/** Walk pages when the page may stop early: a few more ids than needed, never DynamoDB's 1 MB pages. */
const MIN_STREAMED_PAGE = 25;
const MAX_STREAMED_PAGE = 1000;

const scanTooLarge = (scanLimit: number) =>
  badRequest(
    `This search would check more than ${scanLimit} files: it has no term the index can answer`,
    'Add a tags/AITags IN or = term, a path, or a createdAt range, ANDed to the query (or in every OR branch); or sort by CREATED with a smaller skip.',
  );
