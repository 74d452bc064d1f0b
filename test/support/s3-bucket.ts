import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { S3FileStore } from '../../functions/adapters/file-store.js';
import type { PreparedImageStore } from '../../functions/adapters/image-prep.js';

const BUCKET = 'files';

/** The real S3 file store on an s3rver of its own, in a throwaway directory. */
export async function startS3Bucket() {
  const directory = await mkdtemp(join(tmpdir(), 'aitags-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    bucket: BUCKET,
    client,
    store: new S3FileStore(BUCKET, client),
    async stop() {
      client.destroy();
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** `store` with every read of `key`'s bytes (`get` or `find`) counted. */
export function countingReads(store: PreparedImageStore, key: string) {
  const counted = { reads: 0 };
  const wrapped: PreparedImageStore = {
    get: (asked) => {
      if (asked === key) counted.reads += 1;
      return store.get(asked);
    },
    find: (asked) => {
      if (asked === key) counted.reads += 1;
      return store.find(asked);
    },
    head: (asked) => store.head(asked),
    put: (asked, bytes, contentType) => store.put(asked, bytes, contentType),
  };
  return { store: wrapped, counted };
}
