import {
  DERIVED_LABELS,
  type FakeBehaviour,
  fakeProviderEnvironment,
  type RekognitionRequestSeen,
  startFakeRekognition,
  startFakeVision,
  type VisionRequestSeen,
} from './providers.js';

/**
 * `tsx local/fakes/start.ts`: fake Amazon Rekognition and Google Cloud Vision on loopback, so `npm start`
 * can auto-tag without cloud accounts. Ports from REKOGNITION_FAKE_PORT (9001) and VISION_FAKE_PORT (9002),
 * an optional FAKE_LATENCY_MS per answer, an optional FAKE_TPS quota per provider (calls a second; over it,
 * each answers its real throttling error). Prints the environment `npm start` needs; logs each request to
 * stderr. Ctrl-C (or SIGTERM) stops both.
 */

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a port number (got "${raw}")`);
  return value;
}

function latency(): FakeBehaviour {
  const raw = process.env.FAKE_LATENCY_MS;
  if (!raw) return {};
  const latencyMs = Number(raw);
  if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new Error(`FAKE_LATENCY_MS must be a non-negative integer (got "${raw}")`);
  return { latencyMs };
}

function quota(): { tps?: number } {
  const raw = process.env.FAKE_TPS;
  if (!raw) return {};
  const tps = Number(raw);
  if (!(tps > 0 && Number.isFinite(tps))) throw new Error(`FAKE_TPS must be a positive number of calls a second (got "${raw}")`);
  return { tps };
}

/** Starts one fake; a taken port or a bad setting ends the CLI with a one-line message. */
async function listening<T>(name: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const taken = (error as { code?: string }).code === 'EADDRINUSE';
    console.error(taken ? `The port in ${name} is taken: set ${name} to a free port (0 picks one)` : String((error as Error).message ?? error));
    process.exit(1);
  }
}

const describeImage = (image: RekognitionRequestSeen['image'] | undefined) => {
  if (!image) return 'no image';
  if ('s3Bucket' in image) return `s3://${image.s3Bucket}/${image.s3Name}`;
  return image.format ? `${image.format} ${image.width}x${image.height} ${image.byteLength} B` : `${image.byteLength} B, not an image`;
};
const logRekognition = (request: RekognitionRequestSeen) =>
  console.error(
    `rekognition ${request.target ?? '-'} ${describeImage(request.image)} MinConfidence=${request.minConfidence ?? '-'} MaxLabels=${request.maxLabels ?? '-'} → ${request.error ?? request.status ?? 'hang'}`,
  );
const logVision = (request: VisionRequestSeen) =>
  console.error(
    `vision ${request.path} ${request.images.map((item) => `${describeImage(item.image)} ${item.features.map((f) => `${f.type}(${f.maxResults ?? '-'})`).join(',')}`).join('; ')} → ${request.error ?? request.status ?? 'hang'}`,
  );

/** What a newcomer must know before judging tagging by these answers. */
const FIXED_LABELS_NOTE = [
  'These are fixed test labels, not image recognition: every image gets the same ones',
  `(${DERIVED_LABELS.map((label) => label.name).join(', ')}), and only a colour label`,
  "varies (the image's dominant colour). Real labels need AWS credentials and a Vision key.",
].join(' ');

const behaviour = await listening('FAKE_LATENCY_MS', async () => latency());
const { tps } = await listening('FAKE_TPS', async () => quota());
const rekognition = await listening('REKOGNITION_FAKE_PORT', () =>
  startFakeRekognition(behaviour, { port: port('REKOGNITION_FAKE_PORT', 9001), onRequest: logRekognition, tps }),
);
const vision = await listening('VISION_FAKE_PORT', () =>
  startFakeVision(behaviour, { port: port('VISION_FAKE_PORT', 9002), onRequest: logVision, tps }),
);

const environment = { ...fakeProviderEnvironment(rekognition, vision), AWS_ACCESS_KEY_ID: 'fake', AWS_SECRET_ACCESS_KEY: 'fake' };
console.log(
  [
    `fake Rekognition on ${rekognition.url}, fake Vision on ${vision.url}${behaviour.latencyMs ? ` (${behaviour.latencyMs} ms per answer)` : ''}; Ctrl-C stops them.`,
    ...(tps ? [`Quota: ${tps} calls a second each; over it Rekognition answers ThrottlingException, Vision 429 RESOURCE_EXHAUSTED.`] : []),
    FIXED_LABELS_NOTE,
    'Start aitags against them with:',
    `  ${Object.entries(environment)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ')} npm start`,
  ].join('\n'),
);

const shutdown = () => {
  Promise.all([rekognition.stop(), vision.stop()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
