import type { FileIndex, ReadCount } from '../../functions/adapters/file-index.js';
import type { IndexLookup } from '../../functions/core/search-plan.js';

/**
 * A FileIndex that remembers the read count a search passed it last: FileSearch keeps its count to
 * itself when it answers 400, and the bench wants to know how much was read before that.
 */
export class ObservedIndex implements FileIndex {
  last: ReadCount | undefined;

  constructor(private readonly inner: FileIndex) {}

  candidates(lookup: IndexLookup, count: ReadCount): Promise<string[]> {
    this.last = count;
    return this.inner.candidates(lookup, count);
  }

  walk(order: 'asc' | 'desc', count: ReadCount, pageSize?: number): AsyncGenerator<string[]> {
    this.last = count;
    return this.inner.walk(order, count, pageSize);
  }

  records(fileIds: readonly string[], count: ReadCount) {
    this.last = count;
    return this.inner.records(fileIds, count);
  }
}
