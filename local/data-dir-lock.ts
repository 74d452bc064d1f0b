import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod/mini';
import { DataDirInUse, type LockHolder } from './start-failures.js';

/** The data dir's lock, held from before anything else touches the data dir until the stack stops. */
export interface DataDirLock {
  file: string;
  /** Records the port the API listens on, for the message another start prints. */
  setPort(port: number): Promise<void>;
  /** Removes the lock if it is still this start's. */
  release(): Promise<void>;
}

export const LOCK_FILE_NAME = 'aitags.lock';

const holderSchema = z.object({
  pid: z.number().check(z.int(), z.positive()),
  port: z.nullable(z.number().check(z.int(), z.nonnegative())),
  startedAt: z.string(),
});

/** Lock (and takeover) files held by this process: a pid of ours in one we do not hold is a reused pid (a restarted container), not us. */
const heldHere = new Set<string>();

/**
 * Takes `<dataDir>/aitags.lock` (JSON: pid, port, startedAt), created exclusively, so that one data dir
 * serves one aitags: dynalite's LevelDB and s3rver's files allow one writer. A lock whose process is gone
 * (killed, crashed) is taken over; one whose process runs throws DataDirInUse naming it.
 */
export async function lockDataDir(dataDir: string, port: number): Promise<DataDirLock> {
  const file = join(dataDir, LOCK_FILE_NAME);
  let own: LockHolder = { pid: process.pid, port: port || null, startedAt: new Date().toISOString() };
  for (let attempt = 0; !(await createExclusive(file, own)); attempt++) {
    if (attempt === 100) throw new Error(`Could not take ${file}: other starts keep taking it over`);
    const holder = await readHolder(file);
    if (holder === 'gone') continue;
    if (holder !== 'unreadable' && isRunning(holder.pid, file)) throw new DataDirInUse(dataDir, holder);
    await removeStale(file, holder);
  }
  heldHere.add(file);
  return {
    file,
    async setPort(bound) {
      own = { ...own, port: bound };
      // Written aside and renamed over: the lock never disappears nor shows half its content.
      const aside = `${file}.${process.pid}`;
      await writeFile(aside, JSON.stringify(own), { mode: 0o600 });
      await rename(aside, file);
    },
    async release() {
      heldHere.delete(file);
      const holder = await readHolder(file);
      if (holder !== 'gone' && holder !== 'unreadable' && holder.pid === own.pid && holder.startedAt === own.startedAt) await removeIfThere(file);
    },
  };
}

async function createExclusive(file: string, holder: LockHolder): Promise<boolean> {
  try {
    await writeFile(file, JSON.stringify(holder), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * The lock's holder; 'gone' when the file went away meanwhile, 'unreadable' when it holds no holder even
 * after the moment another start may need to write what it just created.
 */
async function readHolder(file: string): Promise<LockHolder | 'gone' | 'unreadable'> {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const parsed = holderSchema.safeParse(parseJson(text));
    if (parsed.success) return parsed.data;
    if (attempt === 10) return 'unreadable';
    await delay(50);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRunning(pid: number, file: string): boolean {
  if (pid === process.pid) return heldHere.has(file);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a lock left by a process that is gone, unless another start replaced it meanwhile. Starts that
 * find the same stale lock take turns through `<lock>.takeover`, so that none removes the lock another
 * one has just created in its place.
 */
async function removeStale(file: string, stale: LockHolder | 'unreadable'): Promise<void> {
  const takeover = `${file}.takeover`;
  const turn: LockHolder = { pid: process.pid, port: null, startedAt: new Date().toISOString() };
  if (!(await createExclusive(takeover, turn))) {
    const taking = await readHolder(takeover);
    if (taking !== 'gone' && taking !== 'unreadable' && isRunning(taking.pid, takeover)) await delay(20);
    // A takeover whose process died half-way: its turn is over.
    else await removeIfThere(takeover);
    return;
  }
  heldHere.add(takeover);
  try {
    const current = await readHolder(file);
    const same =
      current === stale ||
      (current !== 'gone' &&
        current !== 'unreadable' &&
        stale !== 'unreadable' &&
        current.pid === stale.pid &&
        current.startedAt === stale.startedAt);
    if (same) await removeIfThere(file);
  } finally {
    heldHere.delete(takeover);
    await removeIfThere(takeover);
  }
}

async function removeIfThere(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
