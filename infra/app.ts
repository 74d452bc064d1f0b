import { App } from 'aws-cdk-lib';
import { AitagsStack, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_SYNC_WINDOW_MS } from './aitags-stack.js';

const app = new App();

/** A context value (`cdk synth -c name=value` or cdk.json) as a non-negative integer. */
function integerContext(name: string, fallback: number): number {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Context ${name} must be a non-negative integer (got ${JSON.stringify(raw)})`);
  }
  return value;
}

// No env: the stack is environment-agnostic and deploys to the account and region of the CLI's credentials.
new AitagsStack(app, 'Aitags', {
  description: 'aitags: self-hosted, ImageKit-compatible AI auto-tagging',
  maxUploadBytes: integerContext('maxUploadBytes', DEFAULT_MAX_UPLOAD_BYTES),
  syncWindowMs: integerContext('syncWindowMs', DEFAULT_SYNC_WINDOW_MS),
});

app.synth();
