import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImagePrepOptions, prepareImage, type Transcode, transcodeWithSharp } from '../../../functions/adapters/image-prep.js';
import type { ImageInput, LabelDetector } from '../../../functions/adapters/label-detector.js';
import type { ExtensionName } from '../../../functions/core/extension-names.js';
import { objectKeys, withRunStarted } from '../../../functions/core/file-record.js';
import { ProviderTransientError } from '../../../functions/core/provider-errors.js';
import { EMPTY_TAG_POLICY } from '../../../functions/core/tag-policy.js';
import type { ExtensionTask } from '../../../functions/core/tagging-run.js';
import { type TaggerDeps, tagExtension } from '../../../functions/services/tag-extension.js';
import { BudgetLedger } from '../../../functions/adapters/budgets.js';
import { microUsd } from '../../../functions/core/budget.js';
import { LIST_PRICES } from '../../../functions/core/tagging-job.js';
import { countingReads, startS3Bucket } from '../../support/s3-bucket.js';
import { fileRecord } from '../../support/sample-files.js';
import { startSearchTable } from '../../support/search-table.js';
import { ExtensionClaims } from '../../../functions/adapters/extension-claims.js';

/**
 * One tagging run with both extensions, through the tagger service, on the real S3 and table adapters
 * (s3rver, dynalite): Rekognition's first attempt fails with a 5xx after its image was prepared, and the
 * state machine's retry is a new invocation (deps built again, nothing kept in memory).
 */

let s3: Awaited<ReturnType<typeof startS3Bucket>>;
let db: Awaited<ReturnType<typeof startSearchTable>>;
beforeAll(async () => {
  [s3, db] = await Promise.all([startS3Bucket(), startSearchTable()]);
});
afterAll(async () => {
  await Promise.all([s3?.stop(), db?.stop()]);
});

const RUN_ID = 'run-1';
const NOW = new Date('2026-12-07T12:00:00.000Z');

/** A detector that fails its first `failures` calls with a provider 5xx and keeps the images it was sent. */
function detector(failures: number) {
  const seen: ImageInput[] = [];
  let calls = 0;
  const detect: LabelDetector['detect'] = async (image) => {
    seen.push(image);
    calls += 1;
    if (calls <= failures) throw new ProviderTransientError('Amazon Rekognition: InternalServerError: Internal server error');
    return [{ name: 'Panorama', confidence: 90 }];
  };
  return { detector: { detect }, seen };
}

describe('the image of a tagging run with both extensions and a retry', () => {
  it('is read from the original and transcoded once; the retry and the other extension read the prepared image', async () => {
    // Prepare
    const bytes = await sharp({ create: { width: 12_000, height: 500, channels: 3, background: { r: 30, g: 90, b: 200 } } })
      .jpeg()
      .toBuffer();
    const record = withRunStarted(
      fileRecord({ fileId: 'panorama0000000000000001', filePath: '/panorama.jpg', size: bytes.length, width: 12_000, height: 500, aiTags: {} }),
      { runId: RUN_ID, names: ['aws-auto-tagging', 'google-auto-tagging'] },
    );
    await s3.store.put(objectKeys(record).original, bytes, 'image/jpeg');
    await db.table.create(record);
    const { store, counted } = countingReads(s3.store, objectKeys(record).original);
    let transcodes = 0;
    const transcode: Transcode = (original, size) => {
      transcodes += 1;
      return transcodeWithSharp(original, size);
    };
    const rekognition = detector(1);
    const vision = detector(0);
    const ledger = new BudgetLedger(db.tableName, db.client);
    /** What the tagger's wiring builds at cold start: a fresh set for every invocation. */
    const invocation = (provider: LabelDetector, options: ImagePrepOptions): TaggerDeps => ({
      table: db.table,
      failures: { record: async () => undefined, latest: async () => ({}) },
      claims: new ExtensionClaims(db.tableName, db.client),
      detector: provider,
      policies: { version: async () => EMPTY_TAG_POLICY },
      prepareImage: (read) => prepareImage(store, read, { ...options, transcode }),
      // A budget for each: the 5xx (answered, not billed) gives its hold back, and the retry holds it again.
      budget: { ledger, budgets: { 'aws-auto-tagging': microUsd(1), 'google-auto-tagging': microUsd(1) }, prices: LIST_PRICES, now: () => NOW },
    });
    const task = (name: ExtensionName): ExtensionTask => ({
      fileId: record.fileId,
      runId: RUN_ID,
      extension: { name, minConfidence: 50, maxTags: 5 },
      policyVersion: '',
    });
    const onAws: ImagePrepOptions = { provider: { name: 'rekognition', readsS3: true }, bucket: s3.bucket };

    // Act
    await expect(tagExtension(task('aws-auto-tagging'), invocation(rekognition.detector, onAws))).rejects.toBeInstanceOf(ProviderTransientError);
    const retried = await tagExtension(task('aws-auto-tagging'), invocation(rekognition.detector, onAws));
    const other = await tagExtension(task('google-auto-tagging'), invocation(vision.detector, { provider: { name: 'vision' } }));

    // Assess
    expect([retried.status, other.status]).toEqual(['success', 'success']);
    expect({ originalReads: counted.reads, transcodes }).toEqual({ originalReads: 1, transcodes: 1 });
    const sent = [...rekognition.seen, ...vision.seen].map((image) => (image.kind === 'bytes' ? Buffer.from(image.bytes) : image));
    expect(sent).toEqual([sent[0], sent[0], sent[0]]);
    expect(await sharp(sent[0] as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 1920, height: 80 });
    // One image each counted against the month's budget: the failed attempt's hold was given back.
    expect(await ledger.spent('aws-auto-tagging', '2026-12')).toBe(1000);
    expect(await ledger.spent('google-auto-tagging', '2026-12')).toBe(1500);
  });
});
