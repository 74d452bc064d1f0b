import { continuationSchema } from './core/run-continuations.js';
import { continueOnStandard } from './services/run-continuations.js';
import { task } from './task/handler.js';
import { continuationWorkflow, continuationWorkflowArn } from './wiring/continuation-workflow.js';
import { extensionClaims } from './wiring/extension-claims.js';
import { runWatches } from './wiring/run-watches.js';

/** State machine task of the Express run: hands an extension's tagging, or its webhook's retries, to the Standard machine. */
export const handler = task(
  continuationSchema,
  (input) => {
    const { fileId, runId } = 'tagging' in input ? input.tagging : input.webhook;
    const extension = 'tagging' in input ? input.tagging.extension.name : input.webhook.name;
    return { fileId, runId, extension, ...('webhook' in input && { webhookId: input.webhook.webhook.eventId }) };
  },
  (input) =>
    continueOnStandard(input, {
      standard: continuationWorkflow(),
      standardArn: continuationWorkflowArn,
      watches: runWatches(),
      claims: extensionClaims(),
    }),
);
