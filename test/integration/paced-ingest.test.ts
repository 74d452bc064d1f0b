import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeProvider, type RekognitionRequestSeen, startFakeRekognition } from '../../local/fakes/providers.js';
import { jpeg } from '../support/images.js';
import { blob, upload } from '../support/requests.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * Objects written under ingest/ are stored at once and tagged at the background pace (80 % of the quota
 * aitags is told), against a Rekognition fake that enforces that quota as a token bucket. 60 objects at
 * 2 calls a second (1.6 paced) are 37 s of turns, more than the 20 s an object may book ahead: the tail
 * waits in line and asks again. An API upload sent meanwhile takes no turn.
 */

const OBJECTS = 60;
const TPS = 3;
const EXTENSION = { name: 'aws-auto-tagging', minConfidence: 50, maxTags: 2 };

let stack: TestStack;
let rekognition: FakeProvider<RekognitionRequestSeen>;
let s3: S3Client;
let dynamo: DynamoDBClient;

beforeAll(async () => {
  rekognition = await startFakeRekognition({ labels: [{ name: 'Harbour', confidence: 95 }] }, { tps: TPS });
  process.env.AWS_ACCESS_KEY_ID = 'fake-key';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
  stack = await startTestStack({
    AWS_ENDPOINT_URL_REKOGNITION: rekognition.url,
    AITAGS_DEFAULT_EXTENSIONS: JSON.stringify([EXTENSION]),
    AITAGS_REKOGNITION_TPS: String(TPS),
  });
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  s3?.destroy();
  dynamo?.destroy();
  await stack?.close();
  await rekognition?.stop();
});

interface Listed {
  fileId: string;
  filePath: string;
  extensionStatus?: Record<string, string>;
  AITags?: Array<{ name: string; source: string }> | null;
}

describe('objects under ingest/, paced', () => {
  it(`tags ${OBJECTS} objects at the background pace, all of them, almost never over the quota, while an API upload goes at once`, async () => {
    const image = await jpeg(80, 60);
    // Told apart by its size in what the fake saw (the stack sends Rekognition the bytes).
    const apiImage = await jpeg(300, 200);
    let written = 0;
    let apiUpload: Promise<Awaited<ReturnType<typeof upload>>> | undefined;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (written < OBJECTS) {
          const index = written++;
          await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: `ingest/paced/p-${index}.jpg`, Body: image, ContentType: 'image/jpeg' }));
          // Once the line is long: someone uploads through the API.
          if (index === OBJECTS - 1)
            apiUpload = upload(stack, {
              file: blob(apiImage, 'image/jpeg'),
              fileName: 'now.jpg',
              folder: '/api',
              useUniqueFileName: 'false',
              extensions: JSON.stringify([EXTENSION]),
            });
        }
      }),
    );
    const answered = await apiUpload;
    await stack.idle();

    const listed = await fetch(`${stack.apiUrl}/v1/files?path=${encodeURIComponent('/paced')}&limit=100`, { headers: { authorization: stack.auth } });
    const files = (await listed.json()) as Listed[];
    expect(files).toHaveLength(OBJECTS);
    expect(files.filter((file) => file.extensionStatus?.[EXTENSION.name] === 'success')).toHaveLength(OBJECTS);
    expect(files.every((file) => file.AITags?.some((tag) => tag.name === 'Harbour' && tag.source === EXTENSION.name))).toBe(true);

    // Every ingested object's image was accepted once; throttled calls (retried) stay under 5 % of all calls.
    const accepted = rekognition.calls.filter((call) => !call.overQuota);
    const overQuota = rekognition.calls.length - accepted.length;
    expect(accepted).toHaveLength(OBJECTS + 1);
    // Unpaced, most of these calls would be refused (60 at once against 3 a second). Paced, the few refused come
    // while the objects are being stored: one Node process then hosts S3, DynamoDB and every Lambda, and its event
    // loop lags enough to bunch a few turns (the bench, docs/benchmarks.md, reads the share under load: ≤ 5 %).
    expect(overQuota).toBeLessThanOrEqual(Math.floor(0.25 * rekognition.calls.length));

    // The API upload took no turn: its call came before the line had drained.
    expect(answered?.status).toBe(200);
    const apiFile = answered?.body as { fileId: string; filePath: string };
    const isApiImage = (request: RekognitionRequestSeen) => request.image !== undefined && 'width' in request.image && request.image.width === 300;
    const apiCall = rekognition.requests.findIndex(isApiImage);
    const lastIngestCall = rekognition.requests.findLastIndex((request) => !isApiImage(request));
    expect(apiFile.filePath).toBe('/api/now.jpg');
    expect(apiCall).toBeGreaterThanOrEqual(0);
    expect(apiCall).toBeLessThan(lastIngestCall);

    // The line was used: objects past the 20 s an object may book ahead were given tickets, and each came back.
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: stack.table, Key: { pk: { S: 'pacer#aws-auto-tagging' } }, ConsistentRead: true }),
    );
    const pacer = unmarshall(Item ?? {}) as { tickets?: number; served?: number };
    expect(pacer.tickets).toBeGreaterThan(0);
    expect(pacer.served).toBe(pacer.tickets);
  }, 180_000);
});
