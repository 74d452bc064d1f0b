import { describe, expect, it } from 'vitest';
import { MIN_READ_GAP_MS, nextReadAt, SettleTimes } from '../../../functions/core/settle-schedule.js';

/** The read times of a wait that never settles within `until` ms. */
function readTimes(expected: number | undefined, until: number): number[] {
  const times: number[] = [];
  for (let at = nextReadAt(0, expected); at < until; at = nextReadAt(at, expected)) times.push(Math.round(at));
  return times;
}

describe('nextReadAt', () => {
  it('reads first when runs of these extensions settled lately, then every tenth of the time waited (at least 50 ms)', () => {
    expect(readTimes(520, 1200)).toEqual([520, 572, 629, 692, 761, 837, 921, 1013, 1115]);
    expect(readTimes(80, 400)).toEqual([80, 130, 180, 230, 280, 330, 380]);
  });

  it('doubles its spacing from 100 ms before anything is known', () => {
    expect(readTimes(undefined, 3000)).toEqual([100, 200, 400, 800, 1600]);
  });

  it('reads far fewer times than a 50 ms poll over a 3 s window', () => {
    expect(readTimes(520, 3000).length).toBeLessThan(3000 / MIN_READ_GAP_MS / 2);
  });
});

describe('SettleTimes', () => {
  it('learns an exponentially weighted mean per set of extensions, in any order', () => {
    const times = new SettleTimes();
    expect(times.expectedFor(['aws-auto-tagging'])).toBeUndefined();
    times.observe(['google-auto-tagging', 'aws-auto-tagging'], 500);
    times.observe(['aws-auto-tagging', 'google-auto-tagging'], 600);
    expect(times.expectedFor(['aws-auto-tagging', 'google-auto-tagging'])).toBe(530);
    expect(times.expectedFor(['aws-auto-tagging'])).toBeUndefined();
    times.observe(['aws-auto-tagging'], -20);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(0);
  });
});
