import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3FileStore } from './adapters/file-store.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { RekognitionLabels, rekognitionClient } from './adapters/rekognition.js';
import { parseVisionSecret, type VisionCredentials, VisionLabels, type VisionSettings } from './adapters/vision.js';
import { storageConfig, taggerConfig } from './config.js';

/** The adapters the tagger Lambdas run with, built once per container from configuration. */
const storage = storageConfig();
const tagger = taggerConfig();
export const store = new S3FileStore(storage.bucket);
export const table = new DynamoFileTable(storage.table);

export const rekognition = () => new RekognitionLabels(rekognitionClient(tagger.providerTimeoutMs));
export const rekognitionImagePrep = tagger.rekognitionReadsS3 ? { readFromS3: { bucket: storage.bucket } } : {};

const secrets = new SecretsManagerClient({});
const SECRET_CACHE_MS = 5 * 60 * 1000;
let cachedSecret: { value: Promise<VisionCredentials>; until: number } | undefined;

/** Read once per container and again every five minutes, so a key put into the secret takes effect soon. */
function visionCredentials(): Promise<VisionCredentials> {
  if (tagger.visionApiKey) return Promise.resolve({ kind: 'api-key', apiKey: tagger.visionApiKey });
  const secretArn = tagger.visionCredentialsSecretArn;
  if (!secretArn) return Promise.resolve(tagger.googleApplicationCredentials ? { kind: 'application-default' } : { kind: 'none' });
  if (!cachedSecret || cachedSecret.until < Date.now()) {
    const value = secrets.send(new GetSecretValueCommand({ SecretId: secretArn })).then(({ SecretString }) => parseVisionSecret(SecretString ?? ''));
    value.catch(() => {
      cachedSecret = undefined;
    });
    cachedSecret = { value, until: Date.now() + SECRET_CACHE_MS };
  }
  return cachedSecret.value;
}

export const vision = () =>
  new VisionLabels(
    async (): Promise<VisionSettings> => ({
      endpoint: tagger.visionEndpoint,
      credentials: await visionCredentials(),
      timeoutMs: tagger.providerTimeoutMs,
    }),
  );
