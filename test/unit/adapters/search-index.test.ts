import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newReadCount } from '../../../functions/core/search-plan.js';
import { SearchEntries } from '../../../functions/adapters/search-entries.js';
import type { AITag, FileRecord } from '../../../functions/core/file-record.js';
import { fileRecord } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';

let db: Awaited<ReturnType<typeof startSearchTable>>;
beforeAll(async () => {
  db = await startSearchTable();
});
afterAll(() => db?.stop());

let counter = 0;
const newId = () => (++counter).toString(16).padStart(24, '0');
const aws = (...names: string[]): AITag[] => names.map((name) => ({ name, confidence: 90, source: 'aws-auto-tagging' }));

async function store(overrides: Partial<FileRecord>): Promise<FileRecord> {
  const fileId = newId();
  const record = fileRecord({ fileId, version: 1, filePath: `/misc/${fileId}.jpg`, tags: null, aiTags: {}, extensionRuns: {}, ...overrides });
  await db.table.claimPath(record.filePath, fileId, record.createdAt);
  await db.table.create(record);
  return record;
}

const tagged = async (tag: string) => (await db.index.candidates({ kind: 'tag', tag, scope: 'any' }, newReadCount())).sort();

describe('the table keeps the search index', () => {
  it('lists a new file under each of its tags, user and AI, lowercased', async () => {
    const file = await store({ tags: ['Kitten'], aiTags: { 'aws-auto-tagging': aws('Whisker') } });
    expect(await tagged('kitten')).toEqual([file.fileId]);
    expect(await tagged('whisker')).toEqual([file.fileId]);
  });

  it('moves entries when a replace changes tags', async () => {
    const file = await store({ tags: ['alpha', 'beta'] });
    const written = await db.table.replace({ ...file, tags: ['beta', 'gamma'] }, file);
    expect(written.version).toBe(2);
    expect(await tagged('alpha')).toEqual([]);
    expect(await tagged('beta')).toEqual([file.fileId]);
    expect(await tagged('gamma')).toEqual([file.fileId]);
  });

  it('drops the entries a conflicting replace announced', async () => {
    const file = await store({ tags: ['delta'] });
    await db.table.replace({ ...file, tags: ['delta', 'epsilon'] }, file);
    // A writer that read version 1 loses the race: its tag must not stay findable.
    await expect(db.table.replace({ ...file, tags: ['zeta'] }, file)).rejects.toThrow('Write conflict');
    expect(await tagged('zeta')).toEqual([]);
    expect(await tagged('epsilon')).toEqual([file.fileId]);
  });

  it("lands a tagging result's tags and drops the ones it replaced", async () => {
    const file = await store({ aiTags: { 'aws-auto-tagging': aws('Old') } });
    await db.table.startRun(file.fileId, 'run-2', ['aws-auto-tagging']);
    const after = await db.table.recordOutcome(file.fileId, 'run-2', 'aws-auto-tagging', { status: 'success', tags: aws('New', 'old-ish') });
    expect(after).toEqual(await db.table.get(file.fileId));
    expect(await tagged('old')).toEqual([]);
    expect(await tagged('new')).toEqual([file.fileId]);
  });

  it('does not list the tags of a stale tagging result', async () => {
    const file = await store({});
    await db.table.startRun(file.fileId, 'run-b', ['aws-auto-tagging']);
    expect(await db.table.recordOutcome(file.fileId, 'run-a', 'aws-auto-tagging', { status: 'success', tags: aws('Stale') })).toBeUndefined();
    expect(await tagged('stale')).toEqual([]);
  });

  it('unlists a deleted file, and a late writer cannot bring its entries back', async () => {
    const file = await store({ tags: ['omega'] });
    await db.table.remove(file);
    expect(await tagged('omega')).toEqual([]);
    await new SearchEntries(db.tableName, db.client).settle(file.fileId, ['omega'], { ...file, version: 7 });
    expect(await tagged('omega')).toEqual([]);
    expect(await db.table.findPath(file.filePath)).toBeUndefined();
  });

  it('keeps the decision of the newest version whatever order settles land in', async () => {
    const file = await store({ tags: ['sigma'] });
    const entries = new SearchEntries(db.tableName, db.client);
    await entries.settle(file.fileId, ['sigma'], { ...file, version: 5, tags: null });
    await entries.settle(file.fileId, ['sigma'], { ...file, version: 4, tags: ['sigma'] });
    expect(await tagged('sigma')).toEqual([]);
    await entries.settle(file.fileId, ['sigma'], { ...file, version: 6, tags: ['sigma'] });
    expect(await tagged('sigma')).toEqual([file.fileId]);
  });
});

/** The requests `work` sends through the table's client, by command name. */
async function commandsSent(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const sent: Record<string, number> = {};
  const name = 'count-commands';
  db.client.middlewareStack.add(
    (next, context) => (args) => {
      sent[context.commandName ?? '?'] = (sent[context.commandName ?? '?'] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await work();
  } finally {
    db.client.middlewareStack.remove(name);
  }
  return sent;
}

describe('tags announced at the version the write will give the record', () => {
  it('need no settling when the write lands at that version, and an older late decision cannot unlist them', async () => {
    const file = await store({});
    const read = await db.table.startRun(file.fileId, 'run-1', ['aws-auto-tagging']);
    const sent = await commandsSent(() =>
      db.table.recordOutcome(file.fileId, 'run-1', 'aws-auto-tagging', { status: 'success', tags: aws('Ant', 'Bee', 'Cow') }, read.version),
    );
    // One write per tag before the record's, none after it.
    expect(sent).toEqual({ UpdateItemCommand: 4 });
    expect(await tagged('bee')).toEqual([file.fileId]);
    await new SearchEntries(db.tableName, db.client).settle(file.fileId, ['bee'], { ...read, aiTags: {} });
    expect(await tagged('bee')).toEqual([file.fileId]);
  });

  it('are settled at the version the write got when another write came first', async () => {
    const file = await store({});
    const read = await db.table.startRun(file.fileId, 'run-1', ['aws-auto-tagging', 'google-auto-tagging']);
    const google = { status: 'success' as const, tags: [{ name: 'Dog', confidence: 80, source: 'google-auto-tagging' as const }] };
    const first = await db.table.recordOutcome(file.fileId, 'run-1', 'google-auto-tagging', google, read.version);
    const second = await db.table.recordOutcome(
      file.fileId,
      'run-1',
      'aws-auto-tagging',
      { status: 'success', tags: aws('Dog', 'Elk') },
      read.version,
    );
    expect(second?.version).toBe(read.version + 2);
    // A late decision from the first write's version (which lacked Elk) must not unlist what the second added.
    await new SearchEntries(db.tableName, db.client).settle(file.fileId, ['elk'], first);
    expect(await tagged('elk')).toEqual([file.fileId]);
    expect(await tagged('dog')).toEqual([file.fileId]);
  });

  it('are dropped when the result is stale', async () => {
    const file = await store({});
    const read = await db.table.startRun(file.fileId, 'run-old', ['aws-auto-tagging']);
    await db.table.startRun(file.fileId, 'run-new', ['aws-auto-tagging']);
    expect(
      await db.table.recordOutcome(file.fileId, 'run-old', 'aws-auto-tagging', { status: 'success', tags: aws('Fox') }, read.version),
    ).toBeUndefined();
    expect(await tagged('fox')).toEqual([]);
  });

  it('by a replace leave only the removed tags to settle after the write', async () => {
    const file = await store({ tags: ['gnu', 'hen'] });
    const sent = await commandsSent(() => db.table.replace({ ...file, tags: ['hen', 'ibis', 'jay'] }, file));
    // Two added tags before the write, the record, one removed tag after.
    expect(sent).toEqual({ UpdateItemCommand: 3, PutItemCommand: 1 });
    expect(await tagged('gnu')).toEqual([]);
    expect(await tagged('jay')).toEqual([file.fileId]);
    await new SearchEntries(db.tableName, db.client).settle(file.fileId, ['jay'], file);
    expect(await tagged('jay')).toEqual([file.fileId]);
  });
});

describe('reading the index', () => {
  it('reads only the entries of the tag asked for', async () => {
    const rare = await Promise.all(Array.from({ length: 3 }, () => store({ tags: ['rare-one'] })));
    await Promise.all(Array.from({ length: 40 }, () => store({ tags: ['common-one'] })));
    const count = newReadCount();
    const found = await db.index.candidates({ kind: 'tag', tag: 'rare-one', scope: 'any' }, count);
    expect(found.sort()).toEqual(rare.map((file) => file.fileId).sort());
    expect(count).toEqual({ indexItems: 3, records: 0 });
  });

  it('finds a folder, with or without what is below it', async () => {
    const direct = await store({ filePath: '/shoots/2024/a.jpg' });
    const below = await store({ filePath: '/shoots/2024/june/b.jpg' });
    await store({ filePath: '/shoots/2023/c.jpg' });
    const count = newReadCount();
    expect(await db.index.candidates({ kind: 'path', folder: '/shoots/2024/', recursive: false }, count)).toEqual([direct.fileId]);
    expect((await db.index.candidates({ kind: 'path', folder: '/shoots/2024/', recursive: true }, count)).sort()).toEqual(
      [direct.fileId, below.fileId].sort(),
    );
    // The folder's subtree, twice; never the sibling folder.
    expect(count.indexItems).toBe(4);
  });

  it('finds files by creation time, across months', async () => {
    const may = await store({ createdAt: '2021-05-31T23:59:59.999Z' });
    const june = await store({ createdAt: '2021-06-01T00:00:00.000Z' });
    await store({ createdAt: '2021-07-01T00:00:00.000Z' });
    const found = await db.index.candidates({ kind: 'created', from: '2021-05-31T23:59:59.999Z', to: '2021-06-01T00:00:00.000Z' }, newReadCount());
    expect(found.sort()).toEqual([may.fileId, june.fileId].sort());
  });

  it('walks every file in creation order, both ways', async () => {
    const asc: string[] = [];
    for await (const page of db.index.walk('asc', newReadCount())) asc.push(...page);
    const desc: string[] = [];
    for await (const page of db.index.walk('desc', newReadCount())) desc.push(...page);
    const records = await db.table.getMany(asc);
    const expected = records.sort((a, b) => (a.createdAt === b.createdAt ? (a.fileId < b.fileId ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
    expect(asc).toEqual(expected.map((record) => record.fileId));
    expect(desc).toEqual([...asc].reverse());
    expect(new Set(asc).size).toBe(asc.length);
  });

  it('reindexes a file stored before the index existed', async () => {
    const file = await store({ tags: ['legacy-tag'] });
    // What an old version left: the record without index keys, no entries, a claim without folder keys.
    const { DeleteCommand, PutCommand, GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Item } = await db.client.send(new GetCommand({ TableName: db.tableName, Key: { pk: `file#${file.fileId}` } }));
    const { ipk: _ipk, isk: _isk, ...bare } = Item ?? {};
    await db.client.send(new PutCommand({ TableName: db.tableName, Item: bare }));
    await db.client.send(new DeleteCommand({ TableName: db.tableName, Key: { pk: `tag#${file.fileId}#legacy-tag` } }));
    await db.client.send(
      new PutCommand({ TableName: db.tableName, Item: { pk: `path#${file.filePath}`, fileId: file.fileId, claimedAt: file.createdAt } }),
    );
    expect(await tagged('legacy-tag')).toEqual([]);
    await db.table.reindex(file);
    await db.table.reindex(file);
    expect(await tagged('legacy-tag')).toEqual([file.fileId]);
    expect(await db.index.candidates({ kind: 'path', folder: '/misc/', recursive: false }, newReadCount())).toContain(file.fileId);
  });
});
