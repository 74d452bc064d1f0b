import { jobStepSchema } from './core/job-steps.js';
import { planJob } from './services/job-steps.js';
import { task } from './task/handler.js';
import { jobPlanning } from './wiring/job-planning.js';

/** Tagging-jobs state machine task: selects the files, writes the manifest the Distributed Map reads, sets the job running. */
export const handler = task(
  jobStepSchema,
  ({ jobId }) => ({ jobId }),
  (input) => planJob(input, jobPlanning()),
);
