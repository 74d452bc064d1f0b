import { syncWindowConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { TaggingRuns } from '../services/tagging-runs.js';
import { fileTable } from './file-table.js';
import { runWatches } from './run-watches.js';
import { tagPolicies } from './tag-policies.js';
import { taggingWorkflow } from './tagging-workflow.js';

const { syncWindowMs } = syncWindowConfig();

/** Runs that upload and update start and wait for, up to the sync window. */
export const taggingRuns = once(() => new TaggingRuns(fileTable(), taggingWorkflow(), tagPolicies(), runWatches(), syncWindowMs));
