import { taggerHandler } from './extension-runner.js';
import { store, table, vision } from './tagger-deployment.js';

/** State machine task: the `google-auto-tagging` extension (Google Cloud Vision label detection). */
const detector = vision();
export const handler = taggerHandler(() => ({ table, store, detector }));
