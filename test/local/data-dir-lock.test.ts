import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME, lockDataDir } from '../../local/data-dir-lock.js';
import { DataDirInUse } from '../../local/start-failures.js';

let dataDir: string;
const lockFile = () => join(dataDir, LOCK_FILE_NAME);

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'aitags-lock-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('lockDataDir', () => {
  it('records this process and, once bound, its port; release removes the lock', async () => {
    const lock = await lockDataDir(dataDir, 0);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, port: null });
    await lock.setPort(41234);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid, port: 41234 });
    await lock.release();
    await expect(readFile(lockFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a data dir held by a running process, naming its pid and port', async () => {
    const lock = await lockDataDir(dataDir, 3000);
    const refused = await lockDataDir(dataDir, 3001).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirInUse);
    expect((refused as DataDirInUse).message).toBe(
      `aitags is already running on http://127.0.0.1:3000 (pid ${process.pid}) with data dir ${dataDir} — stop it first (Ctrl-C in its terminal, or kill ${process.pid}), or start this one with another AITAGS_DATA_DIR.`,
    );
    await lock.release();
  });

  it('takes over a lock whose process is gone, or that holds no holder', async () => {
    await writeFile(lockFile(), JSON.stringify({ pid: await deadPid(), port: 3000, startedAt: '2026-11-25T12:00:00.000Z' }));
    const lock = await lockDataDir(dataDir, 3000);
    expect(JSON.parse(await readFile(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();

    await writeFile(lockFile(), 'not a lock');
    await (await lockDataDir(dataDir, 3000)).release();
  });

  it('lets one of two starts take over the same stale lock, never both', async () => {
    await writeFile(lockFile(), JSON.stringify({ pid: await deadPid(), port: 3000, startedAt: '2026-11-25T12:00:00.000Z' }));
    const results = await Promise.allSettled([lockDataDir(dataDir, 3000), lockDataDir(dataDir, 3001)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(DataDirInUse);
  });

  it('leaves alone a lock that another start took after this one', async () => {
    const lock = await lockDataDir(dataDir, 3000);
    const other = JSON.stringify({ pid: process.pid, port: 3001, startedAt: '2026-11-25T12:00:00.000Z' });
    await writeFile(lockFile(), other);
    await lock.release();
    expect(await readFile(lockFile(), 'utf8')).toBe(other);
  });
});
