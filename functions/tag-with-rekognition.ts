import { extensionTaskSchema } from './core/tagging-run.js';
import { tagExtension } from './services/tag-extension.js';
import { extensionKeys, task } from './task/handler.js';
import { rekognitionTagger } from './wiring/rekognition-tagger.js';
import { warmUp } from './wiring/warm-up.js';

// In the init phase: a new container's first run does not set up the table's and the bucket's clients.
await warmUp();

/** State machine task: the `aws-auto-tagging` extension (Amazon Rekognition DetectLabels). */
export const handler = task(extensionTaskSchema, extensionKeys, (input) => tagExtension(input, rekognitionTagger()));
