import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { inspectContent } from './adapters/content-inspector.js';
import { S3FileStore } from './adapters/file-store.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { InboxTable } from './adapters/inbox-table.js';
import { StepFunctionsTaggingRuns } from './adapters/tagging-runs.js';
import { AutoTaggingRuns } from './auto-tagging.js';
import { inboxConfig, storageConfig, workflowConfig } from './config.js';
import { decodeS3Key } from './core/direct-upload.js';
import { FileLibrary } from './file-library.js';
import { ingestObject } from './ingest.js';
import { logger } from './logger.js';

const storage = storageConfig();
const store = new S3FileStore(storage.bucket);
const table = new DynamoFileTable(storage.table);
const deps = {
  store,
  inbox: new InboxTable(storage.table),
  files: new FileLibrary({ store, table }),
  tagging: new AutoTaggingRuns(table, new StepFunctionsTaggingRuns(workflowConfig().stateMachineArn), 0),
  inspect: inspectContent,
  defaultExtensions: inboxConfig().defaultExtensions,
  maxBytes: inboxConfig().maxS3UploadBytes,
};

/** S3 ObjectCreated under uploads/ or ingest/ → a stored, tagged file. A thrown error is retried by Lambda. */
export const handler = middy(async (event: S3Event) => {
  for (const record of event.Records) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const object = record.s3.object;
    const key = decodeS3Key(object.key);
    logger.appendKeys({ key });
    const outcome = await ingestObject({ key, size: object.size, eTag: object.eTag, sequencer: object.sequencer }, deps);
    logger.info('S3 event handled', { outcome, sequencer: object.sequencer });
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));
