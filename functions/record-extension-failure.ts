import { extensionFailureTaskSchema } from './core/tagging-run.js';
import { recordExtensionFailure } from './services/tag-extension.js';
import { extensionKeys, task } from './task/handler.js';
import { extensionClaims } from './wiring/extension-claims.js';
import { extensionFailures } from './wiring/extension-failures.js';
import { fileTable } from './wiring/file-table.js';

/** State machine task, reached by a tagger's Catch: records the extension as `failed` with the reason. */
export const handler = task(extensionFailureTaskSchema, extensionKeys, (input) =>
  recordExtensionFailure(input, { table: fileTable(), failures: extensionFailures(), claims: extensionClaims() }),
);
