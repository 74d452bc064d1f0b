/**
 * When upload and PATCH read a run's record while they wait for its extensions (the sync window): not
 * every 50 ms, but when the run is expected to have settled — how long runs of the same extensions took
 * lately in this container — then at gaps of a tenth of the time waited so far (at least 50 ms). Before
 * anything is known, reads double their spacing from 100 ms.
 */
export const MIN_READ_GAP_MS = 50;
const FIRST_READ_MS = 100;
/** How much one observed run moves the expectation (an exponentially weighted mean). */
const WEIGHT = 0.3;

/** Milliseconds from the run's start at which to read next, having waited `elapsedMs`. */
export function nextReadAt(elapsedMs: number, expectedMs: number | undefined): number {
  if (expectedMs !== undefined && elapsedMs < expectedMs) return expectedMs;
  if (expectedMs === undefined) return Math.max(FIRST_READ_MS, elapsedMs * 2);
  return elapsedMs + Math.max(MIN_READ_GAP_MS, elapsedMs / 10);
}

/** How long runs take, by the set of extensions they run: learned from the runs this container waited for. */
export class SettleTimes {
  private readonly expected = new Map<string, number>();

  expectedFor(names: readonly string[]): number | undefined {
    return this.expected.get(keyOf(names));
  }

  /** A run of `names` settled `settledMs` after it started (from the record's last write, not from when it was read). */
  observe(names: readonly string[], settledMs: number): void {
    const key = keyOf(names);
    const previous = this.expected.get(key);
    const observed = Math.max(0, settledMs);
    this.expected.set(key, previous === undefined ? observed : previous + WEIGHT * (observed - previous));
  }
}

const keyOf = (names: readonly string[]) => [...names].sort().join('+');
