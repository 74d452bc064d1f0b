import { StepFunctionsJobWorkflow } from '../adapters/job-workflow.js';
import { providerPrices } from '../core/tagging-job.js';
import { jobWorkflowConfig, priceConfig, searchConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { TaggingJobs } from '../services/tagging-jobs.js';
import { fileSearch } from './file-search.js';
import { jobTable } from './job-table.js';

const { jobStateMachineArn } = jobWorkflowConfig();
const prices = providerPrices(priceConfig().prices);
const { scanLimit } = searchConfig();

export const taggingJobs = once(
  () =>
    new TaggingJobs({
      jobs: jobTable(),
      workflow: new StepFunctionsJobWorkflow(jobStateMachineArn),
      search: fileSearch(),
      prices,
      countBudget: scanLimit,
    }),
);
