import { resolveExtensions } from '../../functions/core/saved-extensions.js';
import { parseTaggingJobRequest, type ResolvedJobRequest } from '../../functions/core/tagging-job.js';

/** A tagging job request as the handler hands it on: parsed, and its extensions resolved (none saved here). */
export function jobRequest(body: unknown): ResolvedJobRequest {
  const request = parseTaggingJobRequest(body);
  return { ...request, extensions: resolveExtensions(request.extensions, () => undefined) };
}
