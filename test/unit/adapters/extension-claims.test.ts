import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtensionClaims } from '../../../functions/adapters/extension-claims.js';
import { EXTENSION_CLAIM_SECONDS } from '../../../functions/core/claims.js';
import { startSearchTable } from '../../support/search-table.js';

/** Per (run, extension) claims on dynalite: one winner among concurrent claimants, retries by the owner, one takeover once lapsed. */

let db: Awaited<ReturnType<typeof startSearchTable>>;
let claims: ExtensionClaims;
beforeAll(async () => {
  db = await startSearchTable();
  claims = new ExtensionClaims(db.tableName, db.client);
});
afterAll(async () => {
  await db?.stop();
});

const at = (seconds: number) => new Date(Date.UTC(2026, 11, 7, 12, 0, seconds));
/** How many times the claim item was taken (its `claims` counter). */
const times = async (runId: string) =>
  Number(
    (
      await db.client.send(
        new GetCommand({ TableName: db.tableName, Key: { pk: `extension-claim#${runId}#aws-auto-tagging` }, ConsistentRead: true }),
      )
    ).Item?.claims ?? 0,
  );

describe('an extension claim', () => {
  it('goes to exactly one of 20 executions claiming it at once; the others learn who holds it', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => claims.claim('run-race', 'aws-auto-tagging', `execution-${index}`, at(0))),
    );
    const winners = answers.flatMap((answer, index) => (answer.claimed ? [`execution-${index}`] : []));
    expect(winners).toHaveLength(1);
    for (const answer of answers.filter((answer) => !answer.claimed)) {
      expect(answer).toEqual({ claimed: false, owner: winners[0], expiresAtMs: at(EXTENSION_CLAIM_SECONDS).getTime() });
    }
    expect(await times('run-race')).toBe(1);
  });

  it('is taken again by its owner (a retried task) while it stands, and by nobody else', async () => {
    expect(await claims.claim('run-retry', 'aws-auto-tagging', 'execution-a', at(0))).toEqual({ claimed: true });
    expect(await claims.claim('run-retry', 'aws-auto-tagging', 'execution-a', at(200))).toEqual({ claimed: true });
    // The owner's retry renewed it: still standing 200 s + EXTENSION_CLAIM_SECONDS − 1 s after the first claim.
    expect(await claims.claim('run-retry', 'aws-auto-tagging', 'execution-b', at(200 + EXTENSION_CLAIM_SECONDS - 1))).toMatchObject({
      claimed: false,
      owner: 'execution-a',
    });
    // Another extension of the same run, and the same extension of another run, are claims of their own.
    expect(await claims.claim('run-retry', 'google-auto-tagging', 'execution-b', at(1))).toEqual({ claimed: true });
    expect(await claims.claim('run-other', 'aws-auto-tagging', 'execution-b', at(1))).toEqual({ claimed: true });
  });

  it('handed over to a continuing execution, is that execution’s at once and no longer its first owner’s', async () => {
    expect(await claims.claim('run-handed', 'aws-auto-tagging', 'express-a', at(0))).toEqual({ claimed: true });
    await claims.handOver('run-handed', 'aws-auto-tagging', 'standard-a', at(10));
    expect(await claims.claim('run-handed', 'aws-auto-tagging', 'express-a', at(11))).toMatchObject({ claimed: false, owner: 'standard-a' });
    expect(await claims.claim('run-handed', 'aws-auto-tagging', 'standard-a', at(12))).toEqual({ claimed: true });
    // A hand-over before any claim (an ingested extension sent to wait in line) makes the claim for it.
    await claims.handOver('run-unclaimed', 'aws-auto-tagging', 'standard-b', at(0));
    expect(await claims.claim('run-unclaimed', 'aws-auto-tagging', 'express-b', at(1))).toMatchObject({ claimed: false, owner: 'standard-b' });
    expect(await claims.claim('run-unclaimed', 'aws-auto-tagging', 'standard-b', at(2))).toEqual({ claimed: true });
  });

  it('once lapsed, is taken over by exactly one of 20 late claimants, and its first owner cannot take it back', async () => {
    expect(await claims.claim('run-lapsed', 'aws-auto-tagging', 'execution-dead', at(0))).toEqual({ claimed: true });
    const late = at(EXTENSION_CLAIM_SECONDS);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) => claims.claim('run-lapsed', 'aws-auto-tagging', `late-${index}`, late)),
    );
    expect(answers.filter((answer) => answer.claimed)).toHaveLength(1);
    expect(await times('run-lapsed')).toBe(2);
    expect(await claims.claim('run-lapsed', 'aws-auto-tagging', 'execution-dead', late)).toMatchObject({ claimed: false });
  });

  it('lapses at once when the reconciler starts a lost run again, and lapsing a claim never taken creates nothing', async () => {
    expect(await claims.claim('run-lost', 'aws-auto-tagging', 'execution-dead', at(0))).toEqual({ claimed: true });
    expect(await claims.claim('run-lost', 'aws-auto-tagging', 'execution-again', at(1))).toMatchObject({ claimed: false });
    await claims.lapse('run-lost', 'aws-auto-tagging');
    expect(await claims.claim('run-lost', 'aws-auto-tagging', 'execution-again', at(1))).toEqual({ claimed: true });
    await claims.lapse('run-never', 'aws-auto-tagging');
    expect(await times('run-never')).toBe(0);
  });
});
