import { checkedMaxJobConcurrency } from '../core/tagging-job.js';
import { bucketConfig, jobConcurrencyConfig, quotaConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { PlanDeps } from '../services/job-steps.js';
import { fileSearch } from './file-search.js';
import { fileStore } from './file-store.js';
import { jobBudgets } from './job-budgets.js';
import { jobTable } from './job-table.js';

const { bucket } = bucketConfig();
const quotas = quotaConfig();
const configured = jobConcurrencyConfig().maxJobConcurrency;
const maxJobConcurrency = configured === undefined ? undefined : checkedMaxJobConcurrency(configured, 'AITAGS_MAX_JOB_CONCURRENCY');

export const jobPlanning = once(
  (): PlanDeps => ({ ...jobBudgets(), jobs: jobTable(), store: fileStore(), bucket, search: fileSearch(), quotas, maxJobConcurrency }),
);
