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

async function visionCredentials(): Promise<VisionCredentials> {
  if (tagger.visionApiKey) return { kind: 'api-key', apiKey: tagger.visionApiKey };
  if (tagger.visionCredentialsSecretArn) {
    const secrets = new SecretsManagerClient({});
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: tagger.visionCredentialsSecretArn }));
    return parseVisionSecret(SecretString ?? '');
  }
  if (tagger.googleApplicationCredentials) return { kind: 'application-default' };
  return { kind: 'none' };
}

export const vision = () =>
  new VisionLabels(
    async (): Promise<VisionSettings> => ({
      endpoint: tagger.visionEndpoint,
      credentials: await visionCredentials(),
      timeoutMs: tagger.providerTimeoutMs,
    }),
  );
