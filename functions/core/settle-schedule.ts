/**
 * When upload and PATCH read a run's record while they wait for its extensions (the sync window): not
 * every 50 ms, but when the run is expected to have settled — by the time three of the last four runs of
 * the same extensions in this container had — then at gaps of half the time waited past it (at
 * least 25 ms). Before anything is known, reads double their spacing from 100 ms.
 */
export const MIN_READ_GAP_MS = 25;
const FIRST_READ_MS = 100;
/**
 * Runs remembered per set of extensions: enough to pass over one slow run (a cold start), few enough that
 * once runs get quicker (a load has passed) the first read follows after two of them (eight took six:
 * uploads right after a load waited up to 300 ms past their answers).
 */
export const RECENT_RUNS = 4;
/** A first read at the median would miss half the runs and keep them waiting a whole gap more. */
const FIRST_READ_QUANTILE = 0.75;

/** Milliseconds from the run's start at which to read next, having waited `elapsedMs`. */
export function nextReadAt(elapsedMs: number, expectedMs: number | undefined): number {
  if (expectedMs === undefined) return Math.max(FIRST_READ_MS, elapsedMs * 2);
  if (elapsedMs < expectedMs) return expectedMs;
  // Past the expected time, a run is most likely just late: read again soon, then back off as it stays unsettled.
  return elapsedMs + Math.max(MIN_READ_GAP_MS, (elapsedMs - expectedMs) / 2);
}

/** How long runs take, by the set of extensions they run: learned from the runs this container waited for. */
export class SettleTimes {
  private readonly recent = new Map<string, number[]>();

  /** When three in four of the recent runs of `names` had settled (nearest rank); undefined before any. */
  expectedFor(names: readonly string[]): number | undefined {
    const times = this.recent.get(keyOf(names));
    if (!times?.length) return undefined;
    const sorted = [...times].sort((a, b) => a - b);
    return sorted[Math.ceil(FIRST_READ_QUANTILE * sorted.length) - 1];
  }

  /** A run of `names` settled `settledMs` after it started (from the record's last write, not from when it was read). */
  observe(names: readonly string[], settledMs: number): void {
    const key = keyOf(names);
    const times = this.recent.get(key) ?? [];
    times.push(Math.max(0, settledMs));
    if (times.length > RECENT_RUNS) times.shift();
    this.recent.set(key, times);
  }
}

const keyOf = (names: readonly string[]) => [...names].sort().join('+');
