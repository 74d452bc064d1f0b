import { createInterface } from 'node:readline/promises';
import { isYes } from './job-text.js';

/**
 * Asks `question` on `output` (stderr, so stdout stays the command's result) and reads one line from `input`.
 * True only for y/yes; false for anything else, for end of input and for Ctrl-C (or `signal`).
 */
export async function confirm(question: string, input: NodeJS.ReadableStream, output: NodeJS.WritableStream, signal: AbortSignal): Promise<boolean> {
  const asking = new AbortController();
  const readline = createInterface({ input, output, terminal: 'isTTY' in input && input.isTTY === true });
  // In raw mode Ctrl-C reaches readline, not the process: treat it as "no".
  readline.on('SIGINT', () => asking.abort());
  readline.on('close', () => asking.abort());
  try {
    return isYes(await readline.question(question, { signal: AbortSignal.any([signal, asking.signal]) }));
  } catch (error) {
    if (asking.signal.aborted || signal.aborted) {
      output.write('\n');
      return false;
    }
    throw error;
  } finally {
    readline.close();
  }
}
