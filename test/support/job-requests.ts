import { resolveExtensions } from '../../functions/core/saved-extensions.js';
import { LIST_PRICES, parseTaggingJobRequest, type ResolvedJobRequest } from '../../functions/core/tagging-job.js';
import type { JobBudgetDeps } from '../../functions/services/job-budgets.js';

/** A tagging job request as the handler hands it on: parsed, and its extensions resolved (none saved here). */
export function jobRequest(body: unknown): ResolvedJobRequest {
  const request = parseTaggingJobRequest(body);
  return { ...request, extensions: resolveExtensions(request.extensions, () => undefined) };
}

/** A job's steps where no monthly budget caps anything (AITAGS_MONTHLY_BUDGET_USD unset): the ledger is never read. */
export const NO_BUDGETS: JobBudgetDeps = {
  ledger: {
    spent: async () => {
      throw new Error('no budget: the ledger is not read');
    },
  },
  budgets: {},
  prices: LIST_PRICES,
};
