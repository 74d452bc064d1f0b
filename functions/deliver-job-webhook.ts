import { jobStepSchema } from './core/job-steps.js';
import { deliverJobWebhook } from './services/job-steps.js';
import { task } from './task/handler.js';
import { jobTable } from './wiring/job-table.js';
import { webhookSender } from './wiring/webhook-sender.js';

/** Tagging-jobs state machine task: one attempt at the job's `tagging-job.completed` webhook (the state machine retries). */
export const handler = task(
  jobStepSchema,
  ({ jobId }) => ({ jobId }),
  (input) => deliverJobWebhook(input, { jobs: jobTable(), sender: webhookSender() }),
);
