import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startFakeSecretsManager, startFakeStepFunctions, startWebhookReceiver } from './aws-fakes.js';
import type { Endpoints } from './environment.js';
import { startFakeRekognition, startFakeVision, startStandIns } from './stand-ins.js';
import { DEPLOYED_VALUES } from './synthesized-functions.js';

/** What Secrets Manager holds for the template's secret ARNs. */
export const SECRET_VALUES = {
  privateKey: 'cold-start-private-key',
  visionApiKey: 'cold-start-vision-api-key',
  // Stored without `whsec_`, as the generated secret is.
  webhookSecret: 'Y29sZC1zdGFydC13ZWJob29rLXNlY3JldC0xMjM0NTY=',
};

/** Every loopback server the first invocations talk to, and the bench's own clients for seeding them. */
export interface LocalServices {
  endpoints: Endpoints;
  bucket: string;
  table: string;
  webhookUrl: string;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  /** Stops every server and client; also called for a start that failed halfway. */
  stop(): Promise<void>;
}

/** s3rver, dynalite, the provider fakes, Secrets Manager and Step Functions fakes, a webhook receiver. */
export async function startLocalServices(dataDir: string): Promise<LocalServices> {
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const next of stops.reverse()) await next().catch(() => undefined);
  };
  try {
    const bucket = DEPLOYED_VALUES.AITAGS_BUCKET;
    const table = DEPLOYED_VALUES.AITAGS_TABLE;
    const standIns = await startStandIns(join(dataDir, 'stand-ins'), { bucket, table });
    stops.push(() => standIns.stop());
    const rekognition = await startFakeRekognition();
    stops.push(() => rekognition.stop());
    const vision = await startFakeVision();
    stops.push(() => vision.stop());
    const secrets = await startFakeSecretsManager({
      [DEPLOYED_VALUES.AITAGS_PRIVATE_KEY_SECRET_ARN]: SECRET_VALUES.privateKey,
      [DEPLOYED_VALUES.AITAGS_VISION_CREDENTIALS_SECRET_ARN]: SECRET_VALUES.visionApiKey,
      [DEPLOYED_VALUES.AITAGS_WEBHOOK_SECRET_ARN]: SECRET_VALUES.webhookSecret,
    });
    stops.push(() => secrets.stop());
    const stepFunctions = await startFakeStepFunctions();
    stops.push(() => stepFunctions.stop());
    const receiver = await startWebhookReceiver();
    stops.push(() => receiver.stop());

    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const s3 = new S3Client({
      endpoint: standIns.s3Endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const dynamo = new DynamoDBClient({ endpoint: standIns.dynamoEndpoint, region: 'us-east-1', credentials });
    stops.push(async () => {
      s3.destroy();
      dynamo.destroy();
    });
    return {
      endpoints: {
        s3: standIns.s3Endpoint,
        dynamodb: standIns.dynamoEndpoint,
        sfn: stepFunctions.url,
        secretsManager: secrets.url,
        rekognition: rekognition.url,
        vision: vision.url,
      },
      bucket,
      table,
      webhookUrl: `${receiver.url}/cold-start-webhook`,
      s3,
      documents: DynamoDBDocumentClient.from(dynamo),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
