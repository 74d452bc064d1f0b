import { extensionTaskSchema } from './core/tagging-run.js';
import { tagExtension } from './services/tag-extension.js';
import { extensionKeys, task } from './task/handler.js';
import { visionTagger } from './wiring/vision-tagger.js';

/** State machine task: the `google-auto-tagging` extension (Google Cloud Vision label detection). */
export const handler = task(extensionTaskSchema, extensionKeys, (input) => tagExtension(input, visionTagger()));
