import { createdObjects, s3EventSchema } from './core/direct-upload.js';
import { logger } from './runtime/logger.js';
import { ingestObject } from './services/ingest-object.js';
import { task } from './task/handler.js';
import { ingestDeps } from './wiring/ingest-object.js';

/** S3 ObjectCreated under uploads/ or ingest/ → a stored, tagged file. A thrown error is retried by Lambda. */
export const handler = task(
  s3EventSchema,
  () => ({}),
  async (event) => {
    for (const object of createdObjects(event)) {
      logger.appendKeys({ key: object.key });
      const outcome = await ingestObject(object, ingestDeps());
      logger.info('S3 event handled', { outcome, sequencer: object.sequencer });
    }
  },
);
