import { extensionTaskSchema } from './core/tagging-run.js';
import { tagExtension } from './services/tag-extension.js';
import { extensionKeys, task } from './task/handler.js';
import { visionTagger, warmUpVisionTagger } from './wiring/vision-tagger.js';
import { warmUpStorage } from './wiring/warm-up.js';

// In the init phase: a new container's first upload does not wait for the client to be built.
await Promise.all([warmUpVisionTagger(), warmUpStorage()]);

/** State machine task: the `google-auto-tagging` extension (Google Cloud Vision label detection). */
export const handler = task(extensionTaskSchema, extensionKeys, (input) => tagExtension(input, visionTagger()));
