/**
 * When upload and PATCH read a run's record while they wait for its extensions (the sync window): first
 * at the earliest any run can have settled, then at gaps of 6 % of the time waited (at least 20 ms), so
 * a run that settles at any time S is read by S + max(20 ms, 6 % of S) — cold or warm, whatever the
 * providers did before. When recent runs of the same extensions settled only adds reads (at that time,
 * then soon after it) and never delays one: a first read at what earlier runs took kept the next runs
 * waiting for it once the providers got quicker, and a new container (most uploads at low traffic) has
 * learned nothing.
 */

/**
 * No run settles sooner: its execution must start, and its tagger read the record and the image, ask its
 * provider and write the record (with fakes that answer at once, ≈ 125 ms under `npm start`; more on
 * AWS). Earlier reads would only cost.
 */
export const FIRST_READ_MS = 50;
/**
 * The gaps' share of the time waited: the most a settled run waits for its read. Reads are cheap on AWS
 * (one read unit each) but not free: at 6 % a run of 1.2 s takes 38–40 reads, $0.005 per 1,000 uploads
 * at on-demand prices; 10 % would save ≈ 30 % of them but let a run of 550 ms wait up to 55 ms, not 33.
 */
export const READ_GAP_FRACTION = 0.06;
/** Below ≈ 330 ms waited, 6 % would be reads every few milliseconds, for nothing a caller could notice. */
export const MIN_READ_GAP_MS = 20;
/**
 * Runs remembered per set of extensions: enough to pass over one slow run (a cold start), few enough that
 * once runs get slower the added read follows after two of them.
 */
export const RECENT_RUNS = 4;
/** The added read at the median would miss half the runs and leave them to the next gap. */
const ADDED_READ_QUANTILE = 0.75;

/**
 * Milliseconds from the run's start at which to read next, the last read having been at `lastReadMs`
 * (undefined before the first); `expectedMs`, when known, is when recent runs of the same extensions had
 * settled.
 */
export function nextReadAt(lastReadMs: number | undefined, expectedMs: number | undefined): number {
  if (lastReadMs === undefined) return FIRST_READ_MS;
  const gap = Math.max(MIN_READ_GAP_MS, lastReadMs * READ_GAP_FRACTION);
  if (expectedMs === undefined) return lastReadMs + gap;
  if (expectedMs > lastReadMs) return Math.min(expectedMs, lastReadMs + gap);
  // Past when recent runs had settled, this one is most likely just late: read again soon, then back off.
  return lastReadMs + Math.min(gap, Math.max(MIN_READ_GAP_MS, (lastReadMs - expectedMs) / 2));
}

/** How long runs take, by the set of extensions they run: learned from the runs this container waited for. */
export class SettleTimes {
  private readonly recent = new Map<string, number[]>();

  /** When three in four of the recent runs of `names` had settled (nearest rank); undefined before any. */
  expectedFor(names: readonly string[]): number | undefined {
    const times = this.recent.get(keyOf(names));
    if (!times?.length) return undefined;
    const sorted = [...times].sort((a, b) => a - b);
    return sorted[Math.ceil(ADDED_READ_QUANTILE * sorted.length) - 1];
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
