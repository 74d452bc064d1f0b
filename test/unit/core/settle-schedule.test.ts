import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FIRST_READ_MS, MIN_READ_GAP_MS, nextReadAt, READ_GAP_FRACTION, RECENT_RUNS, SettleTimes } from '../../../functions/core/settle-schedule.js';

/** The read times of a wait that never settles within `until` ms. */
function readTimes(expected: number | undefined, until: number): number[] {
  const times: number[] = [];
  for (let at = nextReadAt(undefined, expected); at < until; at = nextReadAt(at, expected)) times.push(Math.round(at));
  return times;
}

/** When a run that settled `settledMs` after its start is first read as settled, and how many reads that took. */
function answered(settledMs: number, expected: number | undefined): { at: number; reads: number } {
  let at = nextReadAt(undefined, expected);
  let reads = 1;
  for (; at < settledMs; reads++) at = nextReadAt(at, expected);
  return { at, reads };
}

describe('nextReadAt', () => {
  it('reads first at 50 ms whatever recent runs took', () => {
    for (const expected of [undefined, 10, 50, 130, 520, 2400]) expect(nextReadAt(undefined, expected)).toBe(FIRST_READ_MS);
    expect(FIRST_READ_MS).toBe(50);
  });

  it('then at gaps of 6 % of the time waited, at least 20 ms', () => {
    expect(readTimes(undefined, 1000)).toEqual([
      50, 70, 90, 110, 130, 150, 170, 190, 210, 230, 250, 270, 290, 310, 330, 350, 371, 393, 417, 442, 468, 496, 526, 558, 591, 627, 664, 704, 747,
      791, 839, 889, 942, 999,
    ]);
  });

  it('adds a read when recent runs of these extensions had settled, then reads again soon after it', () => {
    expect(readTimes(520, 700)).toEqual([
      50, 70, 90, 110, 130, 150, 170, 190, 210, 230, 250, 270, 290, 310, 330, 350, 371, 393, 417, 442, 468, 496, 520, 540, 560, 580, 610, 647, 685,
    ]);
    expect(readTimes(1240, 1500).filter((at) => at > 1100)).toEqual([1122, 1190, 1240, 1260, 1280, 1300, 1330, 1375, 1443]);
    // Recent runs took longer than this one (the providers got quicker): the reads before it are the same.
    expect(readTimes(2400, 1000)).toEqual(readTimes(undefined, 1000));
  });

  it('answers a run that settled at any time within 10 % + 50 ms of it, cold or warm, whatever recent runs took', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 20_000, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 20_000, noNaN: true }), { nil: undefined }),
        (settledMs, expected) => {
          const lateBy = answered(settledMs, expected).at - settledMs;
          expect(lateBy).toBeLessThanOrEqual(Math.max(FIRST_READ_MS, MIN_READ_GAP_MS, settledMs * READ_GAP_FRACTION) + 1e-9);
          expect(lateBy).toBeLessThanOrEqual(0.1 * settledMs + 50);
        },
      ),
    );
  });

  it('reads a run of 1.2 s at most 40 times ($0.005 per 1,000 uploads at $0.125 per million read units), whatever recent runs took', () => {
    expect(answered(1200, undefined).reads).toBe(38);
    expect(answered(1200, 1150).reads).toBe(40);
    expect(answered(1200, 1210).reads).toBe(38);
    expect(answered(560, undefined).reads).toBe(25);
    expect(answered(560, 550).reads).toBe(25);
    expect(answered(140, 520).reads).toBe(6);
  });
});

describe('SettleTimes', () => {
  it('expects the time by which three in four recent runs of the same extensions had settled, in any order', () => {
    const times = new SettleTimes();
    expect(times.expectedFor(['aws-auto-tagging'])).toBeUndefined();
    for (const ms of [500, 640, 520, 560]) times.observe(['google-auto-tagging', 'aws-auto-tagging'], ms);
    expect(times.expectedFor(['aws-auto-tagging', 'google-auto-tagging'])).toBe(560);
    expect(times.expectedFor(['aws-auto-tagging'])).toBeUndefined();
    times.observe(['aws-auto-tagging'], -20);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(0);
  });

  it('forgets a slow first run once a few quick ones have settled, and follows slower runs after two of them', () => {
    const times = new SettleTimes();
    times.observe(['aws-auto-tagging'], 2400);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(2400);
    for (let run = 0; run < RECENT_RUNS - 1; run++) times.observe(['aws-auto-tagging'], 540);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(540);
    times.observe(['aws-auto-tagging'], 1300);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(540);
    times.observe(['aws-auto-tagging'], 1300);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(1300);
  });
});
