import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { linkHostSharp, repoRoot } from './synthesized-functions.js';

/** An SDK client (or sharp) a function calls. */
export type Client = 'dynamodb' | 's3' | 'presigner' | 'sfn' | 'secrets' | 'rekognition' | 'vision' | 'sharp';

/**
 * What each function calls: the spec its floor is built from, not derived from the bundle. A function in
 * the template that is missing here fails the bench, so a new function cannot go unmeasured.
 */
export const CLIENTS_BY_ENTRY: Readonly<Record<string, readonly Client[]>> = {
  upload: ['dynamodb', 's3', 'sfn', 'secrets', 'sharp'],
  'upload-url': ['dynamodb', 's3', 'presigner', 'secrets'],
  'get-details': ['dynamodb', 's3', 'presigner', 'secrets'],
  'update-details': ['dynamodb', 's3', 'presigner', 'sfn', 'secrets'],
  'delete-file': ['dynamodb', 's3', 'secrets'],
  'list-files': ['dynamodb', 's3', 'presigner', 'secrets'],
  // No s3: the S3 client its bundle carries (the file library's store) is one it never calls.
  'bulk-tags': ['dynamodb', 'secrets'],
  'delete-files': ['dynamodb', 's3', 'secrets'],
  'serve-page': [],
  'route-not-found': [],
  // The Vision secret (whether it holds a key) and the last failures; no provider client.
  'get-status': ['dynamodb', 'secrets'],
  'on-object-created': ['dynamodb', 's3', 'sfn', 'sharp'],
  'tag-with-rekognition': ['dynamodb', 's3', 'rekognition', 'sharp'],
  'tag-with-vision': ['dynamodb', 's3', 'secrets', 'vision', 'sharp'],
  'record-extension-failure': ['dynamodb'],
  'deliver-webhook': ['dynamodb', 's3', 'presigner', 'secrets'],
  'tagging-jobs': ['dynamodb', 'sfn', 'secrets'],
  'plan-tagging-job': ['dynamodb', 's3'],
  'start-job-file': ['dynamodb'],
  'count-job-file': ['dynamodb'],
  'finish-tagging-job': ['dynamodb'],
  'deliver-job-webhook': ['dynamodb', 'secrets'],
};

/** Reference bundles measured beside the functions. */
export const REFERENCES = {
  empty: { clients: [] as Client[], about: 'an empty module' },
  'bare-vision': { clients: ['vision'] as Client[], about: "@google-cloud/vision's ImageAnnotatorClient alone (fallback, API key)" },
  naive: {
    clients: ['dynamodb', 's3', 'presigner', 'sfn', 'secrets', 'rekognition', 'vision'] as Client[],
    about: 'every client above, as one shared wiring module built them',
  },
} as const;
export type ReferenceName = keyof typeof REFERENCES;

/**
 * What a floor's handler receives: one representative call per client, against the stand-ins. The
 * image is a small JPEG, base64.
 */
export interface FloorEvent {
  table: string;
  itemKey: Record<string, string>;
  bucket: string;
  objectKey: string;
  stateMachineArn: string;
  secretId: string;
  image: string;
}

interface ClientSource {
  imports: string[];
  construct: string;
  call: string;
}

// Built the way functions/ builds them today: stand-in credentials only when AWS_ENDPOINT_URL_<SERVICE> is set.
const SOURCES: Record<Client, ClientSource> = {
  dynamodb: {
    imports: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
    ],
    construct:
      'const documents = DynamoDBDocumentClient.from(new DynamoDBClient(process.env.AWS_ENDPOINT_URL_DYNAMODB ? { credentials: standIn } : {}), { marshallOptions: { removeUndefinedValues: true } });',
    call: 'await documents.send(new GetCommand({ TableName: event.table, Key: event.itemKey, ConsistentRead: true }));',
  },
  s3: {
    imports: ["import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';"],
    construct:
      "const s3 = new S3Client({ ...(process.env.AWS_ENDPOINT_URL_S3 && { forcePathStyle: true, credentials: standIn }), requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });",
    call: 'await s3.send(new HeadObjectCommand({ Bucket: event.bucket, Key: event.objectKey }));',
  },
  presigner: {
    imports: ["import { getSignedUrl } from '@aws-sdk/s3-request-presigner';"],
    construct: '',
    call: 'await getSignedUrl(s3, new GetObjectCommand({ Bucket: event.bucket, Key: event.objectKey }), { expiresIn: 3600 });',
  },
  sfn: {
    imports: ["import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';"],
    construct: 'const sfn = new SFNClient(process.env.AWS_ENDPOINT_URL_SFN ? { credentials: standIn } : {});',
    call: "await sfn.send(new StartExecutionCommand({ stateMachineArn: event.stateMachineArn, name: 'floor-' + Date.now(), input: '{}' }));",
  },
  secrets: {
    imports: ["import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';"],
    construct: 'const secrets = new SecretsManagerClient({});',
    call: 'await secrets.send(new GetSecretValueCommand({ SecretId: event.secretId }));',
  },
  rekognition: {
    imports: ["import { DetectLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition';"],
    construct: 'const rekognition = new RekognitionClient({ maxAttempts: 2 });',
    call: 'await rekognition.send(new DetectLabelsCommand({ Image: { Bytes: image }, MaxLabels: 1000, MinConfidence: 50 }));',
  },
  vision: {
    imports: ["import { ImageAnnotatorClient } from '@google-cloud/vision';"],
    construct: [
      'const visionEndpoint = process.env.AITAGS_VISION_ENDPOINT ? new URL(process.env.AITAGS_VISION_ENDPOINT) : undefined;',
      "const vision = new ImageAnnotatorClient({ fallback: true, apiKey: 'x', ...(visionEndpoint && { apiEndpoint: visionEndpoint.hostname, port: Number(visionEndpoint.port), protocol: visionEndpoint.protocol.slice(0, -1) }) });",
    ].join('\n'),
    call: "await vision.batchAnnotateImages({ requests: [{ image: { content: event.image }, features: [{ type: 'LABEL_DETECTION', maxResults: 100 }] }] }, { maxRetries: 0 });",
  },
  sharp: {
    imports: ["import sharp from 'sharp';"],
    construct: '',
    call: 'await sharp(image).metadata();',
  },
};

const SOURCES_ORDER: readonly Client[] = ['dynamodb', 's3', 'presigner', 'sfn', 'secrets', 'rekognition', 'vision', 'sharp'];

/** A module that only imports and constructs `clients`, and whose handler makes one call with each. */
export function floorSource(clients: readonly Client[]): string {
  const used = SOURCES_ORDER.filter((client) => clients.includes(client));
  const sources = used.map((client) => SOURCES[client]);
  return [
    ...sources.flatMap((source) => source.imports),
    "const standIn = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };",
    ...sources.map((source) => source.construct).filter(Boolean),
    'export async function handler(event) {',
    "  const image = Buffer.from(event.image ?? '', 'base64');",
    ...used.map((client) => `  ${SOURCES[client].call}`),
    `  return { calls: ${JSON.stringify(used)}, bytes: image.length };`,
    '}',
  ].join('\n');
}

export interface BuiltFloor {
  dir: string;
  indexBytes: number;
}

/** Bundles the floor with esbuild, with the options CDK's NodejsFunction is given in infra/lambda-function.ts. */
export async function buildFloor(name: string, clients: readonly Client[], banner: string, dir: string): Promise<BuiltFloor> {
  await mkdir(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  const withSharp = clients.includes('sharp');
  await build({
    stdin: { contents: floorSource(clients), resolveDir: repoRoot, sourcefile: `floor-${name}.mjs`, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    keepNames: true,
    mainFields: ['module', 'main'],
    banner: { js: banner },
    external: withSharp ? ['sharp'] : [],
    logLevel: 'error',
  });
  if (withSharp) await linkHostSharp(dir);
  return { dir, indexBytes: (await stat(outfile)).size };
}

/**
 * The banner infra/lambda-function.ts gives every bundle (the shims bundled CommonJS needs in an ES
 * module: require, and lately __dirname), read from the synthesized bundles so the floors get the same.
 */
export async function bannerOf(indexFiles: readonly string[]): Promise<string> {
  const banners = new Set<string>();
  for (const file of indexFiles) {
    const text = await readFile(file, 'utf8');
    banners.add(text.slice(0, Math.max(0, text.indexOf('\n'))));
  }
  const [banner, ...others] = [...banners];
  if (banner === undefined || others.length || !banner.startsWith('import ') || banner.length > 2000) {
    throw new Error(
      `the synthesized bundles do not share one banner line; floors.ts cannot build its floors the same way (${[...banners].map((line) => line.slice(0, 120)).join(' | ')})`,
    );
  }
  return banner;
}
