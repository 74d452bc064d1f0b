import { inspectContent } from '../adapters/content-inspector.js';
import { InboxTable } from '../adapters/inbox-table.js';
import { parseExtensions } from '../core/extensions.js';
import { defaultExtensionsConfig, directUploadConfig, tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { IngestDeps } from '../services/ingest-object.js';
import { TaggingRuns } from '../services/tagging-runs.js';
import { fileLibrary } from './file-library.js';
import { fileStore } from './file-store.js';
import { fileTable } from './file-table.js';
import { tagPolicies } from './tag-policies.js';
import { taggingWorkflow } from './tagging-workflow.js';

const { table } = tableConfig();
const defaultExtensions = checkedDefaultExtensions(defaultExtensionsConfig().defaultExtensions);

function checkedDefaultExtensions(value: unknown) {
  try {
    return parseExtensions(value);
  } catch (error) {
    throw new Error(`AITAGS_DEFAULT_EXTENSIONS is not a valid extensions array: ${(error as Error).message}`);
  }
}
const { maxS3UploadBytes } = directUploadConfig();

/** Nobody waits for the runs an arriving object starts: no sync window. */
export const ingestDeps = once(
  (): IngestDeps => ({
    store: fileStore(),
    inbox: new InboxTable(table),
    files: fileLibrary(),
    tagging: new TaggingRuns(fileTable(), taggingWorkflow(), tagPolicies()),
    inspect: inspectContent,
    defaultExtensions,
    maxBytes: maxS3UploadBytes,
  }),
);
