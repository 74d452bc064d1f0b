import { prepareImage } from '../adapters/image-prep.js';
import { secretSetting } from '../adapters/secrets.js';
import { parseVisionSecret, type VisionCredentials, VisionLabels } from '../adapters/vision.js';
import { providerConfig, visionConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { TaggerDeps } from '../services/tag-extension.js';
import { fileStore } from './file-store.js';
import { fileTable } from './file-table.js';

const { providerTimeoutMs } = providerConfig();
const vision = visionConfig();

/** An API key in the configuration, else the Vision secret (re-read every five minutes), else ADC or none. */
const visionSecret = secretSetting<VisionCredentials>(undefined, vision.credentialsSecretArn, parseVisionSecret);
function visionCredentials(): Promise<VisionCredentials> {
  if (vision.apiKey) return Promise.resolve({ kind: 'api-key', apiKey: vision.apiKey });
  if (vision.credentialsSecretArn) return visionSecret();
  return Promise.resolve(vision.googleApplicationCredentials ? { kind: 'application-default' } : { kind: 'none' });
}

export const visionTagger = once(
  (): TaggerDeps => ({
    table: fileTable(),
    detector: new VisionLabels(async () => ({ endpoint: vision.endpoint, credentials: await visionCredentials(), timeoutMs: providerTimeoutMs })),
    prepareImage: (record) => prepareImage(fileStore(), record),
  }),
);
