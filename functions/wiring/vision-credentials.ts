import { secretSetting } from '../adapters/secrets.js';
import { parseVisionSecret, type VisionCredentials } from '../adapters/vision-credentials.js';
import { visionConfig } from '../runtime/config.js';

const vision = visionConfig();

/** An API key in the configuration, else the Vision secret (re-read every five minutes), else ADC or none. */
const visionSecret = secretSetting<VisionCredentials>(undefined, vision.credentialsSecretArn, parseVisionSecret);
export function visionCredentials(): Promise<VisionCredentials> {
  if (vision.apiKey) return Promise.resolve({ kind: 'api-key', apiKey: vision.apiKey });
  if (vision.credentialsSecretArn) return visionSecret();
  return Promise.resolve(vision.googleApplicationCredentials ? { kind: 'application-default' } : { kind: 'none' });
}
