import { type DynamoDBDocumentClient, GetCommand, paginateQuery, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FileRecord } from '../core/file-record.js';
import { monthOf, topFolderOf } from '../core/search-index.js';
import type { IndexLookup, ReadCount } from '../core/search-plan.js';

export type { ReadCount } from '../core/search-plan.js';
import { isInFolder } from '../core/search-values.js';
import { folderPartition, tagPartition } from '../core/table-keys.js';
import { documentClient } from './clients/dynamodb.js';
import { createdPartition, type FileTable, MONTHS_KEY } from './file-table.js';
import { SEARCH_INDEX } from './table-schema.js';

/** The read side of the search index (the write side is the file table's). */
export interface FileIndex {
  /** The fileIds among `lookup`'s index entries: candidates, to be checked against their records. */
  candidates(lookup: IndexLookup, count: ReadCount): Promise<string[]>;
  /**
   * Every file's id in creation order (ties by fileId), a page at a time: pages of at most `pageSize` ids
   * when given (a reader that may stop early reads no more than it asks for), else as large as DynamoDB's.
   */
  walk(order: 'asc' | 'desc', count: ReadCount, pageSize?: number): AsyncGenerator<string[]>;
  /** The current records of `fileIds` that still exist (consistent reads). */
  records(fileIds: readonly string[], count: ReadCount): Promise<FileRecord[]>;
}

const { name: INDEX, partitionKey: IPK, sortKey: ISK } = SEARCH_INDEX;
/** The largest code point: a sort key bound that every key with a given prefix sorts below. */
const HIGHEST = '\u{10FFFF}';

export class DynamoFileIndex implements FileIndex {
  constructor(
    private readonly table: string,
    private readonly files: Pick<FileTable, 'getMany'>,
    private readonly client: DynamoDBDocumentClient = documentClient(),
  ) {}

  async candidates(lookup: IndexLookup, count: ReadCount): Promise<string[]> {
    switch (lookup.kind) {
      case 'tag':
        return this.fileIds(count, { partition: tagPartition(lookup.tag) });
      case 'path': {
        const entries = await this.entries(count, { partition: folderPartition(topFolderOf(lookup.folder)), prefix: lookup.folder });
        // An entry's sort key is its file's path.
        return entries.filter((entry) => isInFolder(entry.sortKey, lookup.folder, lookup.recursive)).map((entry) => entry.fileId);
      }
      case 'created': {
        const from = lookup.from ?? '0';
        const to = lookup.to === undefined ? HIGHEST : `${lookup.to}#${HIGHEST}`;
        const months = (await this.months(count)).filter((month) => month >= monthOf(from) && month <= monthOf(to));
        const pages = await Promise.all(months.map((month) => this.fileIds(count, { partition: createdPartition(month), between: [from, to] })));
        return pages.flat();
      }
    }
  }

  async *walk(order: 'asc' | 'desc', count: ReadCount, pageSize?: number): AsyncGenerator<string[]> {
    const months = await this.months(count);
    if (order === 'desc') months.reverse();
    for (const month of months) {
      for await (const page of this.pages(count, { partition: createdPartition(month), forward: order === 'asc', pageSize })) {
        yield page.map((entry) => entry.fileId);
      }
    }
  }

  async records(fileIds: readonly string[], count: ReadCount): Promise<FileRecord[]> {
    count.records += new Set(fileIds).size;
    return this.files.getMany(fileIds);
  }

  private async months(count: ReadCount): Promise<string[]> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: { pk: MONTHS_KEY }, ConsistentRead: true }));
    count.indexItems += 1;
    const months = Item?.months as Set<string> | undefined;
    return [...(months ?? [])].sort();
  }

  private async fileIds(count: ReadCount, range: KeyRange): Promise<string[]> {
    return (await this.entries(count, range)).map((entry) => entry.fileId);
  }

  private async entries(count: ReadCount, range: KeyRange): Promise<IndexEntry[]> {
    const all: IndexEntry[] = [];
    for await (const page of this.pages(count, range)) all.push(...page);
    return all;
  }

  private async *pages(count: ReadCount, range: KeyRange): AsyncGenerator<IndexEntry[]> {
    const input: QueryCommandInput = {
      TableName: this.table,
      IndexName: INDEX,
      KeyConditionExpression: `#ipk = :partition${range.prefix !== undefined ? ' AND begins_with(#isk, :prefix)' : range.between ? ' AND #isk BETWEEN :from AND :to' : ''}`,
      ExpressionAttributeNames: { '#ipk': IPK, ...(range.prefix !== undefined || range.between ? { '#isk': ISK } : {}) },
      ExpressionAttributeValues: {
        ':partition': range.partition,
        ...(range.prefix !== undefined ? { ':prefix': range.prefix } : {}),
        ...(range.between ? { ':from': range.between[0], ':to': range.between[1] } : {}),
      },
      ScanIndexForward: range.forward ?? true,
      ...(range.pageSize !== undefined && { Limit: range.pageSize }),
    };
    for await (const page of paginateQuery({ client: this.client }, input)) {
      count.indexItems += page.ScannedCount ?? page.Items?.length ?? 0;
      yield (page.Items ?? []).map((item) => ({ fileId: String(item.fileId), sortKey: String(item[ISK]) }));
    }
  }
}

interface KeyRange {
  partition: string;
  prefix?: string;
  between?: [string, string];
  forward?: boolean;
  pageSize?: number;
}

interface IndexEntry {
  fileId: string;
  sortKey: string;
}
