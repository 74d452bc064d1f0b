import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileRecord } from '../../../functions/core/file-record.js';
import { parseListRequest } from '../../../functions/core/list-request.js';
import { FileSearch } from '../../../functions/services/file-search.js';
import { fileRecord } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

let db: Awaited<ReturnType<typeof startSearchTable>>;
const NOW = new Date('2024-06-30T00:00:00.000Z');
const LIBRARY = 60;

const fileId = (n: number) => n.toString(16).padStart(24, '0');
/** 60 files: every third is a "cat", one in ten a "rare" bird; two folders; one a day from May 1st. */
const library: FileRecord[] = Array.from({ length: LIBRARY }, (_, n) =>
  fileRecord({
    fileId: fileId(n + 1),
    version: 1,
    name: `file-${String(n).padStart(2, '0')}.jpg`,
    filePath: `/${n % 2 ? 'odd' : 'even'}/file-${String(n).padStart(2, '0')}.jpg`,
    size: 1000 + ((n * 37) % 60) * 10,
    tags: n % 3 === 0 ? ['Cat'] : null,
    aiTags: n % 10 === 0 ? { 'aws-auto-tagging': [{ name: 'Rare', confidence: 90, source: 'aws-auto-tagging' }] } : {},
    createdAt: new Date(Date.UTC(2024, 4, 1 + Math.floor(n / 2), n % 2)).toISOString(),
  }),
);

beforeAll(async () => {
  db = await startSearchTable();
  for (const record of library) {
    await db.table.claimPath(record.filePath, record.fileId, record.createdAt);
    await db.table.create(record);
  }
});
afterAll(() => db?.stop());

const search = (params: Record<string, string>, scanLimit = 1000) => new FileSearch(db.index, scanLimit, () => NOW).list(parseListRequest(params));
const ids = (records: FileRecord[]) => records.map((record) => record.fileId);
const expected = (keep: (record: FileRecord, n: number) => boolean) => library.filter(keep).map((record) => record.fileId);

describe('FileSearch', () => {
  it('answers a tag query from the index, reading only its entries and their records', async () => {
    const result = await search({ searchQuery: 'tags = "rare"' });
    expect(result.plan).toBe('index');
    expect(ids(result.records)).toEqual(expected((_, n) => n % 10 === 0));
    expect(result.reads).toEqual({ indexItems: 6, records: 6 });
  });

  it('reads each OR branch once and checks the rest of an AND on the records', async () => {
    const result = await search({ searchQuery: '(tags = "cat" OR AITags = "rare") AND size > 1200', path: '/even/' });
    expect(result.plan).toBe('index');
    expect(ids(result.records)).toEqual(expected((r, n) => (n % 3 === 0 || n % 10 === 0) && r.size > 1200 && n % 2 === 0));
    // 20 cat entries + 6 rare entries; the 2 files with both are read once.
    expect(result.reads).toEqual({ indexItems: 26, records: 24 });
  });

  it('finds files by folder and creation time through the index', async () => {
    const folder = await search({ path: '/odd/' });
    expect([folder.plan, folder.records.length, folder.reads.indexItems]).toEqual(['index', 30, 30]);
    const recent = await search({ searchQuery: 'createdAt >= "2024-05-28T00:00:00Z"' });
    expect(recent.plan).toBe('index');
    expect(ids(recent.records)).toEqual(expected((r) => r.createdAt >= '2024-05-28'));
    expect(recent.reads.records).toBe(recent.records.length);
  });

  it('matches untagged files with NOT IN, by walking every file', async () => {
    const result = await search({ searchQuery: 'tags NOT IN ["cat"]' });
    expect(result.plan).toBe('scan');
    expect(ids(result.records)).toEqual(expected((_, n) => n % 3 !== 0));
    expect(result.reads.records).toBe(LIBRARY);
  });

  it('stops walking once a page sorted by creation is full', async () => {
    const oldest = await search({ limit: '5' });
    expect(ids(oldest.records)).toEqual(ids(library.slice(0, 5)));
    // The month list, then one walk page of 25 ids; only the records the page needs.
    expect(oldest.reads).toEqual({ indexItems: 26, records: 5 });
    const newest = await search({ sort: 'DESC_CREATED', limit: '5', skip: '2' });
    expect(ids(newest.records)).toEqual(ids([...library].reverse().slice(2, 7)));
    expect(newest.reads).toEqual({ indexItems: 26, records: 7 });
    // Filtered: it reads on until enough match, and no further.
    const cats = await search({ searchQuery: 'tags NOT IN ["nothing"] AND size > 1300', limit: '3' });
    expect(ids(cats.records)).toEqual(expected((r) => r.size > 1300).slice(0, 3));
    expect(cats.reads.records).toBeLessThan(LIBRARY);
  });

  it('sorts, skips and limits, ties broken by fileId', async () => {
    const bySize = await search({ sort: 'ASC_SIZE', skip: '3', limit: '10' });
    const sorted = [...library].sort((a, b) => a.size - b.size || (a.fileId < b.fileId ? -1 : 1));
    expect(ids(bySize.records)).toEqual(ids(sorted.slice(3, 13)));
  });

  it('refuses a search that would check more files than its budget, asking for an indexable term', async () => {
    const error = await search({ searchQuery: 'size > 1', sort: 'ASC_SIZE' }, 50).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status: 400, help: expect.stringContaining('tags') });
    // Within budget once the query says where to look.
    expect((await search({ searchQuery: 'size > 1 AND path = "/odd/"', sort: 'ASC_SIZE' }, 50)).records).toHaveLength(30);
  });

  it('answers type=folder with no files, reading nothing', async () => {
    expect(await search({ type: 'folder' })).toEqual({ records: [], plan: 'none', reads: { indexItems: 0, records: 0 } });
  });

  it('never returns a file for a tag it lost, even when its entry still says so', async () => {
    const [first] = library;
    const record = (await db.table.get(first?.fileId ?? '')) as FileRecord;
    // What an index write still in flight looks like: the record changed, the entry not yet.
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await db.client.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          pk: `file#${record.fileId}`,
          ...record,
          tags: null,
          version: record.version + 1,
          ipk: `created#${record.createdAt.slice(0, 7)}`,
          isk: `${record.createdAt}#${record.fileId}`,
        },
      }),
    );
    const result = await search({ searchQuery: 'tags = "cat"' });
    expect(ids(result.records)).not.toContain(record.fileId);
    expect(result.reads.indexItems).toBe(20);
    await db.table.replace(record, { ...record, tags: null, version: record.version + 1 });
  });
});

describe('parseListRequest errors reach the caller as 400s', () => {
  it('names the column of a syntax error', () => {
    expect(thrownApiError(() => parseListRequest({ searchQuery: 'tags IN ["a"' })).help).toMatch(/column|expected/i);
  });
});
