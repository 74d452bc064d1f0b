import { taggerHandler } from './extension-runner.js';
import { rekognition, rekognitionImagePrep, store, table } from './tagger-deployment.js';

/** State machine task: the `aws-auto-tagging` extension (Amazon Rekognition DetectLabels). */
const detector = rekognition();
export const handler = taggerHandler(() => ({ table, store, detector, imagePrep: rekognitionImagePrep }));
