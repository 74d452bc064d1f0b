import * as z from 'zod/mini';
import { reconcileRuns } from './services/reconcile-runs.js';
import { task } from './task/handler.js';
import { extensionClaims } from './wiring/extension-claims.js';
import { fileTable } from './wiring/file-table.js';
import { runWatches } from './wiring/run-watches.js';
import { continuationWorkflow } from './wiring/continuation-workflow.js';
import { taggingWorkflow } from './wiring/tagging-workflow.js';
import { webhookDeliveries } from './wiring/webhook-deliveries.js';

/**
 * Scheduled (every 10 minutes on AWS; at start and on the same schedule under `npm start`): takes over
 * tagging runs whose workflow was lost, and webhooks whose execution was lost between attempts.
 * `everyWatch` (a local start only): every watch counts as lost, since the executions of the process
 * before died with it.
 */
const reconcileInputSchema = z.looseObject({ everyWatch: z.optional(z.boolean()) });

export const handler = task(
  reconcileInputSchema,
  () => ({}),
  (input) =>
    reconcileRuns(
      {
        watches: runWatches(),
        files: fileTable(),
        deliveries: webhookDeliveries(),
        workflow: taggingWorkflow(),
        standard: continuationWorkflow(),
        claims: extensionClaims(),
      },
      input.everyWatch ?? false,
    ),
);
