import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pacer } from '../../../functions/adapters/pacer.js';
import { INGEST_HORIZON_SECONDS, MIN_ASK_AGAIN_SECONDS } from '../../../functions/core/pacer.js';
import { startSearchTable } from '../../support/search-table.js';

let table: Awaited<ReturnType<typeof startSearchTable>>;
let pacer: Pacer;

beforeAll(async () => {
  table = await startSearchTable();
  pacer = new Pacer(table.tableName, table.client);
});
afterAll(async () => {
  await table?.stop();
});

const T0 = 1_800_000_000_000;

describe('Pacer (dynalite)', () => {
  it('gives an idle pacer’s turn at once, then one interval apart, never closer, whoever asks at once', async () => {
    const rate = 4; // 250 ms apart
    const first = await pacer.take('aws-auto-tagging', rate, T0);
    expect(first).toEqual({ at: T0 });
    const turns = await Promise.all(Array.from({ length: 40 }, () => pacer.take('aws-auto-tagging', rate, T0 + 10)));
    const at = turns.map((turn) => ('at' in turn ? turn.at : Number.NaN)).sort((a, b) => a - b);
    expect(at).toEqual(Array.from({ length: 40 }, (_, index) => T0 + 250 * (index + 1)));
  });

  it('lends no burst after an idle spell: the first turn is now, the next one interval later', async () => {
    const later = T0 + 3_600_000;
    expect(await pacer.take('aws-auto-tagging', 4, later)).toEqual({ at: later });
    expect(await pacer.take('aws-auto-tagging', 4, later)).toEqual({ at: later + 250 });
  });

  it('keeps providers apart', async () => {
    expect(await pacer.take('google-auto-tagging', 10, T0)).toEqual({ at: T0 });
  });

  it('sends an ingested object further than the horizon to wait in line, ticket by ticket, and books nothing for it', async () => {
    const rate = 10; // 100 ms apart
    const now = T0 + 7_200_000;
    const horizonMs = INGEST_HORIZON_SECONDS * 1000;
    // A job books 25 s ahead (250 turns) without a horizon.
    for (let index = 0; index < 250; index++) await pacer.take('google-auto-tagging', rate, now);
    const booked = await pacer.state('google-auto-tagging');
    expect(booked.next).toBe(now + 25_000);
    const first = await pacer.take('google-auto-tagging', rate, now, { horizonMs });
    const second = await pacer.take('google-auto-tagging', rate, now, { horizonMs });
    expect(first).toMatchObject({ ticket: 1 });
    expect(second).toMatchObject({ ticket: 2 });
    // The first asks again when the turns past the horizon have come; the second one interval after it.
    expect('askAgainAt' in first && first.askAgainAt).toBe(now + 25_000 - horizonMs);
    expect('askAgainAt' in second && second.askAgainAt).toBe(now + 25_000 - horizonMs + 100);
    expect((await pacer.state('google-auto-tagging')).next).toBe(booked.next);
    // Asking again with its ticket once there is room: a turn, and one fewer waiting ahead of the second.
    const again = await pacer.take('google-auto-tagging', rate, now + 5_000, { horizonMs, ticket: 1 });
    expect(again).toEqual({ at: now + 25_000 });
    expect(await pacer.state('google-auto-tagging')).toMatchObject({ tickets: 2, served: 1 });
    const tooSoon = await pacer.take('google-auto-tagging', rate, now + 1_000, { horizonMs, ticket: 2 });
    expect(tooSoon).toEqual({ askAgainAt: now + 25_100 - horizonMs, ticket: 2 });
  });

  it('answers a run that may not wait in line (its Express execution) with no turn and no ticket when the horizon is full', async () => {
    const rate = 10;
    const now = T0 + 14_400_000;
    const horizonMs = INGEST_HORIZON_SECONDS * 1000;
    for (let index = 0; index < 250; index++) await pacer.take('google-auto-tagging', rate, now);
    const before = await pacer.state('google-auto-tagging');
    expect(await pacer.take('google-auto-tagging', rate, now, { horizonMs, inLine: false })).toEqual({ beyondHorizon: true });
    expect(await pacer.state('google-auto-tagging')).toEqual(before);
    // Within the horizon it gets its turn as any other.
    expect(await pacer.take('google-auto-tagging', rate, now + 10_000, { horizonMs, inLine: false })).toEqual({ at: before.next });
  });

  it('asks again no sooner than a second from now, and forgets lost tickets once idle', async () => {
    const now = T0 + 10_800_000;
    for (let index = 0; index < 30; index++) await pacer.take('aws-auto-tagging', 1, now);
    const waiting = await pacer.take('aws-auto-tagging', 1, now + 9_990, { horizonMs: INGEST_HORIZON_SECONDS * 1000 });
    expect(waiting).toEqual({ askAgainAt: now + 9_990 + MIN_ASK_AGAIN_SECONDS * 1000, ticket: 1 });
    // Its execution never asks again; the pacer goes idle and forgets it.
    const idleAt = now + 60_000;
    expect(await pacer.take('aws-auto-tagging', 1, idleAt)).toEqual({ at: idleAt });
    expect(await pacer.state('aws-auto-tagging')).toMatchObject({ tickets: 1, served: 1 });
  });
});
