import { turnTaskSchema } from './core/tagging-run.js';
import { quotaConfig } from './runtime/config.js';
import { takeTurn } from './services/paced-turns.js';
import { extensionKeys, task } from './task/handler.js';
import { pacer } from './wiring/pacer.js';
import { runWatches } from './wiring/run-watches.js';

/** State machine task of a paced run (an object under ingest/): its extension's turn at the provider's background pacer. */
export const handler = task(turnTaskSchema, extensionKeys, (input) =>
  takeTurn(input, { pacer: pacer(), watches: runWatches(), quotas: quotaConfig() }),
);
