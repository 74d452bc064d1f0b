import { jobFileCountSchema } from './core/job-steps.js';
import { countJobFile } from './services/job-steps.js';
import { task } from './task/handler.js';
import { jobTable } from './wiring/job-table.js';

/** Tagging-jobs item task: counts one file's outcome on the job, once however often it is retried. */
export const handler = task(
  jobFileCountSchema,
  ({ jobId, fileId, index }) => ({ jobId, fileId, index }),
  (input) => countJobFile(input, jobTable()),
);
