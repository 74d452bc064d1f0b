import type { TaggingJobsClient } from './tagging-jobs-client.js';

/** The streams a command reads and writes: the process's in main.ts, in-memory ones in tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Results: estimates, job ids, summaries, tables. */
  stdout: NodeJS.WritableStream;
  /** Questions, progress, errors and hints. */
  stderr: NodeJS.WritableStream;
}

/** What every command that talks to the API is given. */
export interface CommandContext {
  client: TaggingJobsClient;
  io: CliIo;
  pollMs: number;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
}

/** The exit code after Ctrl-C (128 + SIGINT), the job going on. */
export const INTERRUPTED = 130;
