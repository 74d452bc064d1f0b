import {
  type FakeLabel,
  type FakeProvider,
  type RekognitionRequestSeen,
  startFakeRekognition,
  startFakeVision,
  type VisionRequestSeen,
  fakeProviderEnvironment,
} from '../../local/fakes/providers.js';

export interface Providers {
  rekognition: FakeProvider<RekognitionRequestSeen>;
  vision: FakeProvider<VisionRequestSeen>;
  /** What the local stack needs to reach the fakes through the real SDKs. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Both provider fakes, with credentials for their SDKs: AWS keys through the default chain (the S3 and
 * DynamoDB stand-ins have their own), a Vision API key through the configuration.
 */
export async function startProviders(labels: { rekognition?: FakeLabel[]; vision?: FakeLabel[] } = {}): Promise<Providers> {
  const rekognition = await startFakeRekognition({ ...(labels.rekognition && { labels: labels.rekognition }) });
  const vision = await startFakeVision({ ...(labels.vision && { labels: labels.vision }) });
  process.env.AWS_ACCESS_KEY_ID = 'fake-key';
  process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
  return {
    rekognition,
    vision,
    env: fakeProviderEnvironment(rekognition, vision),
    async stop() {
      await Promise.all([rekognition.stop(), vision.stop()]);
    },
  };
}
