import { warmUpBucket, warmUpTable } from '../adapters/clients/warm-up.js';
import { bucketConfig, tableConfig } from '../runtime/config.js';
import { logger } from '../runtime/logger.js';

/**
 * At a container's init: one read of the table and one of the bucket, for things that are not there, so
 * that a new container's first request does not pay for the clients' first use (credentials resolved,
 * connections opened, the SDK's code run once: ≈ 120 ms of the first upload under `npm start`). Reads
 * only; a failure is logged, never thrown: the first request then sets the clients up, as it would have.
 */
export async function warmUpStorage(): Promise<void> {
  const results = await Promise.allSettled([warmUpTable(tableConfig().table), warmUpBucket(bucketConfig().bucket)]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) logger.warn('Could not warm up the storage clients; the first request sets them up', { error: failed.reason as Error });
}
