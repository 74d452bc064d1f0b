import { createServer } from 'node:net';

/** A reason the local stack cannot start that the user can act on: `npm start` prints its message alone, as one line. */
export class StartFailure extends Error {
  override name = 'StartFailure';
}

/** What another start recorded in the data dir's lock. */
export interface LockHolder {
  pid: number;
  /** The API's port, or null while a start on a random port has not bound it yet. */
  port: number | null;
  startedAt: string;
}

/** Another aitags (or one still starting) holds the data dir. */
export class DataDirInUse extends StartFailure {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const running =
      holder.port === null ? `is already starting (pid ${holder.pid})` : `is already running on http://127.0.0.1:${holder.port} (pid ${holder.pid})`;
    super(
      `aitags ${running} with data dir ${dataDir} — stop it first (Ctrl-C in its terminal, or kill ${holder.pid}), or start this one with another AITAGS_DATA_DIR.`,
    );
  }
}

/** The API's port cannot be bound: taken by another program, or reserved to privileged users. */
export class PortUnavailable extends StartFailure {
  constructor(
    readonly port: number,
    reason: 'in use' | 'privileged',
    suggestedPort: number,
  ) {
    const what = reason === 'in use' ? 'is in use by another program' : 'needs privileges this user does not have';
    super(`Port ${port} ${what}: start aitags on another one with PORT=${suggestedPort} npm start.`);
  }
}

/** The error of binding the API's port as a StartFailure when it is one of the known reasons, else the error itself. */
export async function portFailure(error: unknown, port: number): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new PortUnavailable(port, 'in use', await freePortAfter(port));
  if (code === 'EACCES') return new PortUnavailable(port, 'privileged', await freePortAfter(Math.max(port, 2999)));
  return error;
}

/** The first loopback port after `port` that nothing listens on now (the suggestion, not a promise). */
async function freePortAfter(port: number): Promise<number> {
  for (let candidate = port + 1; candidate <= Math.min(port + 20, 65_535); candidate++) {
    if (await isFree(candidate)) return candidate;
  }
  return port + 1;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** File-system errors a start can meet in its data dir, as the user would say them, with what to do. */
const FILE_SYSTEM_ERRORS: Record<string, { reason: string; advice: string }> = {
  EACCES: { reason: 'permission denied', advice: 'give this user write access to it, or start aitags with another AITAGS_DATA_DIR' },
  EPERM: { reason: 'operation not permitted', advice: 'give this user write access to it, or start aitags with another AITAGS_DATA_DIR' },
  EROFS: { reason: 'read-only file system', advice: 'start aitags with an AITAGS_DATA_DIR on a writable disk' },
  ENOSPC: { reason: 'no space left on the device', advice: 'free some space, or start aitags with an AITAGS_DATA_DIR on another disk' },
  ENOTDIR: { reason: 'a file is where a directory should be', advice: 'start aitags with another AITAGS_DATA_DIR' },
  EEXIST: { reason: 'a file is where a directory should be', advice: 'start aitags with another AITAGS_DATA_DIR' },
};

/**
 * The lines `npm start` prints when the stack could not start: a known reason as its one line, a file-system
 * error in the data dir as one line naming the path, anything else as its message; the stack trace only
 * with AITAGS_DEBUG set.
 */
export function describeStartFailure(error: unknown, debug: boolean): string {
  if (error instanceof StartFailure) return error.message;
  const { code, path } = error as NodeJS.ErrnoException;
  const known = code === undefined ? undefined : FILE_SYSTEM_ERRORS[code];
  if (known && path) return `aitags cannot write ${path} (${known.reason}): ${known.advice}.`;
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return `aitags could not start: ${message}${stack || (error instanceof Error ? ' (AITAGS_DEBUG=1 npm start shows where)' : '')}`;
}
