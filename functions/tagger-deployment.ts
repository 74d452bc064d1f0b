import { S3FileStore } from './adapters/file-store.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { RekognitionLabels, rekognitionClient } from './adapters/rekognition.js';
import { secretSetting } from './adapters/secrets.js';
import { parseVisionSecret, type VisionCredentials, VisionLabels, type VisionSettings } from './adapters/vision.js';
import { storageConfig, taggerConfig } from './config.js';

/** The adapters the tagger Lambdas run with, built once per container from configuration. */
const storage = storageConfig();
const tagger = taggerConfig();
export const store = new S3FileStore(storage.bucket);
export const table = new DynamoFileTable(storage.table);

export const rekognition = () => new RekognitionLabels(rekognitionClient(tagger.providerTimeoutMs));
export const rekognitionImagePrep = tagger.rekognitionReadsS3 ? { readFromS3: { bucket: storage.bucket } } : {};

/** An API key in the configuration, else the Vision secret (re-read every five minutes), else ADC or none. */
const visionSecret = secretSetting<VisionCredentials>(undefined, tagger.visionCredentialsSecretArn, parseVisionSecret);
function visionCredentials(): Promise<VisionCredentials> {
  if (tagger.visionApiKey) return Promise.resolve({ kind: 'api-key', apiKey: tagger.visionApiKey });
  if (tagger.visionCredentialsSecretArn) return visionSecret();
  return Promise.resolve(tagger.googleApplicationCredentials ? { kind: 'application-default' } : { kind: 'none' });
}

export const vision = () =>
  new VisionLabels(
    async (): Promise<VisionSettings> => ({
      endpoint: tagger.visionEndpoint,
      credentials: await visionCredentials(),
      timeoutMs: tagger.providerTimeoutMs,
    }),
  );
