import { StepFunctionsJobWorkflow } from '../adapters/job-workflow.js';
import { jobWorkflowConfig, searchConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { TaggingJobs } from '../services/tagging-jobs.js';
import { fileSearch } from './file-search.js';
import { jobBudgets } from './job-budgets.js';
import { jobTable } from './job-table.js';

const { jobStateMachineArn } = jobWorkflowConfig();
const { scanLimit } = searchConfig();

export const taggingJobs = once(
  () =>
    new TaggingJobs({
      jobs: jobTable(),
      workflow: new StepFunctionsJobWorkflow(jobStateMachineArn),
      search: fileSearch(),
      ...jobBudgets(),
      countBudget: scanLimit,
    }),
);
