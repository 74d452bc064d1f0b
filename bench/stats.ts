/** Milliseconds and ratios as the report prints them. */
export const roundMs = (ms: number) => Math.round(ms * 10) / 10;
export const roundRatio = (value: number) => Math.round(value * 100) / 100;

/** The q-quantile (0–1) by linear interpolation between closest ranks (R's type 7, numpy's default). */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = sorted[Math.floor(position)] as number;
  const above = sorted[Math.ceil(position)] as number;
  return below + (above - below) * (position - Math.floor(position));
}

export interface Summary {
  n: number;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  maxMs: number;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    medianMs: roundMs(quantile(samples, 0.5)),
    p90Ms: roundMs(quantile(samples, 0.9)),
    minMs: roundMs(Math.min(...samples)),
    maxMs: roundMs(Math.max(...samples)),
  };
}

/** Runs `once` warmUp times unmeasured, then `count` times one after another; `once` returns its own ms. */
export async function sequential(
  warmUp: number,
  count: number,
  once: (index: number) => Promise<number>,
): Promise<{ warmUpMs: number[]; samplesMs: number[] }> {
  const warmUpMs: number[] = [];
  for (let index = 0; index < warmUp; index++) warmUpMs.push(await once(index));
  const samplesMs: number[] = [];
  for (let index = 0; index < count; index++) samplesMs.push(await once(warmUp + index));
  return { warmUpMs, samplesMs };
}

/** Runs `task` for 0 … count-1, at most `limit` at once; results in index order. */
export async function inParallel<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
