import { extensionTaskSchema } from './core/tagging-run.js';
import { tagExtension } from './services/tag-extension.js';
import { extensionKeys, task } from './task/handler.js';
import { rekognitionTagger } from './wiring/rekognition-tagger.js';

/** State machine task: the `aws-auto-tagging` extension (Amazon Rekognition DetectLabels). */
export const handler = task(extensionTaskSchema, extensionKeys, (input) => tagExtension(input, rekognitionTagger()));
