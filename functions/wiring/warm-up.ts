import { warmUpBucket, warmUpTable } from '../adapters/clients/warm-up.js';
import { bucketConfig, tableConfig } from '../runtime/config.js';
import { logger } from '../runtime/logger.js';
import { once } from '../runtime/once.js';

/**
 * At a container's init: one read of the table and one of the bucket, for things that are not there, so
 * that a new container's first request does not pay for the clients' first use (credentials resolved,
 * connections opened, the SDK's code run once: ≈ 120 ms of the first upload under `npm start`), plus what
 * the handler adds (`also`: the Vision client built). Once per process: functions that share one (`npm
 * start` runs them all in one) warm the shared clients once. A failure is logged, never thrown: the first
 * request then sets things up, as it would have.
 */
const warmUpStorage = once(async (): Promise<void> => {
  await Promise.all([warmUpTable(tableConfig().table), warmUpBucket(bucketConfig().bucket)]);
});

export async function warmUp(...also: Array<() => Promise<void> | undefined>): Promise<void> {
  // Each step in an async function: one that throws at once is settled (and logged) like one that rejects.
  const results = await Promise.allSettled([warmUpStorage(), ...also.map(async (step) => step())]);
  for (const result of results) {
    if (result.status === 'rejected') logger.warn('Could not warm up a client; the first request sets it up', { error: result.reason as Error });
  }
}
