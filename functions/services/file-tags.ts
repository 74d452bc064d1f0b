import type { FileTable } from '../adapters/file-table.js';
import type { BulkTagRequest } from '../core/bulk-request.js';
import { addUserTags, applyDetailsChange, type FileRecord, removeUserTags } from '../core/file-record.js';
import { inBatches, modifyRecord, requireAllFiles } from './record-updates.js';

/**
 * Bulk addTags / removeTags / removeAITags (ImageKit's files.bulk): records only, no bytes. Every file is
 * checked first (one missing → 404, one whose tags the change would take past their limit → 400; nothing
 * changed either way), then each is changed on its latest version, so a
 * tagging result landing meanwhile is kept. A file whose tags already are as asked is not written again.
 */
export class FileTags {
  constructor(
    private readonly table: Pick<FileTable, 'get' | 'getMany' | 'replace'>,
    private readonly now: () => Date = () => new Date(),
    private readonly rememberRejections = true,
  ) {}

  /** Answers the ids of the files that exist after the change (one deleted meanwhile is left out). */
  async update(request: BulkTagRequest): Promise<string[]> {
    const records = await requireAllFiles(this.table, request.fileIds);
    // A change one file refuses (its tags past their limit) is refused before any file is written.
    const checkedAt = this.now().toISOString();
    for (const record of records) changeTags(record, request, checkedAt, this.rememberRejections);
    const updated = await inBatches(request.fileIds, (fileId) =>
      modifyRecord(
        this.table,
        fileId,
        (record, now) => {
          const next = changeTags(record, request, now, this.rememberRejections);
          return sameTags(record, next) ? undefined : next;
        },
        this.now,
      ),
    );
    return request.fileIds.filter((_, index) => updated[index] !== undefined);
  }
}

function changeTags(record: FileRecord, request: BulkTagRequest, now: string, rememberRejections: boolean): FileRecord {
  switch (request.operation) {
    case 'addTags':
      return addUserTags(record, request.tags, now);
    case 'removeTags':
      return removeUserTags(record, request.tags, now);
    case 'removeAITags':
      // Named AI tags removed by hand: remembered as rejected, as a PATCH without extensions does.
      return applyDetailsChange(record, { removeAITags: request.tags }, now, rememberRejections);
  }
}

const tagsOf = (record: FileRecord) => JSON.stringify([record.tags, record.aiTags, record.rejectedAITags ?? []]);
const sameTags = (a: FileRecord, b: FileRecord) => tagsOf(a) === tagsOf(b);
