import { extensionTaskSchema } from './core/tagging-run.js';
import { tagExtension } from './services/tag-extension.js';
import { extensionKeys, task } from './task/handler.js';
import { visionTagger } from './wiring/vision-tagger.js';
import { warmUp } from './wiring/warm-up.js';

// In the init phase: a new container's first upload does not wait for the clients to be set up (Vision's built).
await warmUp(() => visionTagger().detector.warmUp?.());

/** State machine task: the `google-auto-tagging` extension (Google Cloud Vision label detection). */
export const handler = task(extensionTaskSchema, extensionKeys, (input) => tagExtension(input, visionTagger()));
