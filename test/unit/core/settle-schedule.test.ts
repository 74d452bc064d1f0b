import { describe, expect, it } from 'vitest';
import { MIN_READ_GAP_MS, nextReadAt, RECENT_RUNS, SettleTimes } from '../../../functions/core/settle-schedule.js';

/** The read times of a wait that never settles within `until` ms. */
function readTimes(expected: number | undefined, until: number): number[] {
  const times: number[] = [];
  for (let at = nextReadAt(0, expected); at < until; at = nextReadAt(at, expected)) times.push(Math.round(at));
  return times;
}

describe('nextReadAt', () => {
  it('reads first when recent runs of these extensions had settled, then at gaps of half the time waited past it (at least 25 ms)', () => {
    expect(readTimes(520, 1200)).toEqual([520, 545, 570, 595, 633, 689, 773, 900, 1090]);
    expect(readTimes(80, 300)).toEqual([80, 105, 130, 155, 193, 249]);
  });

  it('doubles its spacing from 100 ms before anything is known', () => {
    expect(readTimes(undefined, 3000)).toEqual([100, 200, 400, 800, 1600]);
  });

  it('reads far fewer times than a 50 ms poll over a 3 s window', () => {
    expect(readTimes(520, 3000).length).toBeLessThan(3000 / 50 / 2);
    expect(MIN_READ_GAP_MS).toBeLessThan(50);
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

  it('forgets a slow first run once a few quick ones have settled, and follows quicker runs within a few', () => {
    const times = new SettleTimes();
    times.observe(['aws-auto-tagging'], 2400);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(2400);
    for (let run = 0; run < 3; run++) times.observe(['aws-auto-tagging'], 540);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(540);
    // Quicker runs (a load has passed): followed once they are three in four of the remembered ones.
    for (let run = 0; run < Math.ceil(RECENT_RUNS * 0.75) - 1; run++) times.observe(['aws-auto-tagging'], 300);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(540);
    times.observe(['aws-auto-tagging'], 300);
    expect(times.expectedFor(['aws-auto-tagging'])).toBe(300);
  });
});
