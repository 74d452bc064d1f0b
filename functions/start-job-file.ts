import { jobFileTaskSchema } from './core/job-steps.js';
import { startJobFile } from './services/job-steps.js';
import { task } from './task/handler.js';
import { fileTable } from './wiring/file-table.js';
import { jobBudgets } from './wiring/job-budgets.js';
import { quotaConfig } from './runtime/config.js';
import { pacer } from './wiring/pacer.js';
import { runWatches } from './wiring/run-watches.js';
import { tagPolicies } from './wiring/tag-policies.js';

/** Tagging-jobs item task: starts the job's run on one file (or skips it) and answers when it may call its providers. */
export const handler = task(
  jobFileTaskSchema,
  ({ jobId, fileId, index }) => ({ jobId, fileId, index }),
  (input) =>
    startJobFile(input, {
      ...jobBudgets(),
      files: fileTable(),
      watches: runWatches(),
      policies: tagPolicies(),
      pacer: pacer(),
      quotas: quotaConfig(),
    }),
);
