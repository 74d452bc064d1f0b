import { inspectContent } from '../adapters/content-inspector.js';
import { InboxTable } from '../adapters/inbox-table.js';
import { directUploadConfig, tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { IngestDeps } from '../services/ingest-object.js';
import { TaggingRuns } from '../services/tagging-runs.js';
import { fileLibrary } from './file-library.js';
import { fileStore } from './file-store.js';
import { fileTable } from './file-table.js';
import { runWatches } from './run-watches.js';
import { defaultExtensions, savedExtensions } from './saved-extensions.js';
import { tagPolicies } from './tag-policies.js';
import { taggingWorkflow } from './tagging-workflow.js';

const { table } = tableConfig();
// Checked at start: a bad value fails the Lambda's start, not each object.
defaultExtensions();
const { maxS3UploadBytes } = directUploadConfig();

/** Nobody waits for the runs an arriving object starts: no sync window. */
export const ingestDeps = once(
  (): IngestDeps => ({
    store: fileStore(),
    inbox: new InboxTable(table),
    files: fileLibrary(),
    tagging: new TaggingRuns(fileTable(), taggingWorkflow(), tagPolicies(), runWatches()),
    inspect: inspectContent,
    defaultExtensions: defaultExtensions(),
    resolveExtensions: (requested) => savedExtensions().resolve(requested, 'AITAGS_DEFAULT_EXTENSIONS'),
    maxBytes: maxS3UploadBytes,
  }),
);
