import { jobStepSchema } from './core/job-steps.js';
import { finishJob } from './services/job-steps.js';
import { task } from './task/handler.js';
import { jobTable } from './wiring/job-table.js';

/** Tagging-jobs state machine task: ends the job (planned, succeeded or failed) with its final counts. */
export const handler = task(
  jobStepSchema,
  ({ jobId }) => ({ jobId }),
  (input) => finishJob(input, { jobs: jobTable() }),
);
