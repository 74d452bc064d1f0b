import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warmUpBucket, warmUpTable } from '../../../functions/adapters/clients/warm-up.js';
import { startS3Bucket } from '../../support/s3-bucket.js';
import { startSearchTable } from '../../support/search-table.js';

/** A container's init reads the table and the bucket once, for nothing that is there, and changes nothing. */
let db: Awaited<ReturnType<typeof startSearchTable>>;
let s3: Awaited<ReturnType<typeof startS3Bucket>>;
let refusing: Server;
beforeAll(async () => {
  [db, s3] = await Promise.all([startSearchTable(), startS3Bucket()]);
  // S3 without s3:ListBucket answers a missing key 403: the round trip still happened.
  refusing = createServer((_request, response) => {
    response.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await Promise.all([db?.stop(), s3?.stop(), new Promise((resolve) => refusing?.close(resolve))]);
});

const s3ClientAt = (endpoint: string) =>
  new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('warming up the storage clients', () => {
  it('reads the table for an item that is not there, and writes nothing', async () => {
    await expect(warmUpTable(db.tableName, db.client)).resolves.toBeUndefined();
    const { Count } = await db.client.send(new ScanCommand({ TableName: db.tableName, Select: 'COUNT' }));
    expect(Count).toBe(0);
  });

  it('asks the bucket for an object that is not there (404), and writes nothing', async () => {
    await expect(warmUpBucket(s3.bucket, s3.client)).resolves.toBeUndefined();
    const { KeyCount } = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    expect(KeyCount).toBe(0);
  });

  it('counts a 403 as warmed: S3 answered on the connection', async () => {
    const client = s3ClientAt(`http://127.0.0.1:${(refusing.address() as AddressInfo).port}`);
    await expect(warmUpBucket('files', client)).resolves.toBeUndefined();
    client.destroy();
  });

  it('fails when nothing answers: the caller logs it and the first request sets the client up', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = s3ClientAt(`http://127.0.0.1:${port}`);
    await expect(warmUpBucket('files', client)).rejects.toThrow();
    client.destroy();
  });
});
