/**
 * The environments the fresh processes run with: a clean base (nothing of the bench's own AITAGS_,
 * AWS_, Powertools or NODE_OPTIONS settings leaks in), the function's template variables, and for the
 * first-invocation runs the stand-in endpoints plus the few overrides listed with their reasons.
 */

const LEAKY = /^(AITAGS_|AWS_|POWERTOOLS_|GOOGLE_|NODE_OPTIONS$)/;

const AWS_BASE = {
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: 'cold-start-fake-access-key',
  AWS_SECRET_ACCESS_KEY: 'cold-start-fake-secret-key',
  // An init that warms its clients up reaches a closed loopback port, never AWS: the stand-ins' own
  // AWS_ENDPOINT_URL_<SERVICE> variables take precedence in the first-invocation runs.
  AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
};

/** What every function in the template gets (infra/lambda-function.ts); the reference bundles run with it. */
export const LAMBDA_DEFAULTS: Readonly<Record<string, string>> = { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'aitags' };

export function childEnvironment(variables: Readonly<Record<string, string>>): Record<string, string> {
  const inherited = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined && !LEAKY.test(entry[0]));
  return { ...Object.fromEntries(inherited), ...AWS_BASE, ...variables };
}

export interface Endpoints {
  s3: string;
  dynamodb: string;
  sfn: string;
  secretsManager: string;
  rekognition: string;
  vision: string;
}

/** The SDK clients read AWS_ENDPOINT_URL_<SERVICE> themselves; the Vision adapter reads AITAGS_VISION_ENDPOINT. */
export function standInVariables(endpoints: Endpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
    AWS_ENDPOINT_URL_REKOGNITION: endpoints.rekognition,
    AITAGS_VISION_ENDPOINT: endpoints.vision,
  };
}

/** Template variables replaced for the first-invocation runs only (functions and their floors alike). */
export const INVOCATION_OVERRIDES: Readonly<Record<string, { variables: Record<string, string>; why: string }>> = {
  'tag-with-rekognition': {
    variables: { AITAGS_REKOGNITION_READS_S3: 'false' },
    why: 'AITAGS_REKOGNITION_READS_S3=false: the Rekognition fake cannot read S3, so the tagger sends the downscaled bytes',
  },
  upload: {
    variables: { AITAGS_SYNC_WINDOW_MS: '0' },
    why: 'AITAGS_SYNC_WINDOW_MS=0: the event asks for auto-tagging (so Step Functions is called) and no tagger runs here, so the sync window would add its full 3 s of polling',
  },
  'update-details': {
    variables: { AITAGS_SYNC_WINDOW_MS: '0' },
    why: 'AITAGS_SYNC_WINDOW_MS=0: as for upload',
  },
  'deliver-webhook': {
    variables: { AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    why: 'AITAGS_ALLOW_PRIVATE_WEBHOOKS=true: the receiver is on 127.0.0.1',
  },
  'deliver-job-webhook': {
    variables: { AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    why: 'AITAGS_ALLOW_PRIVATE_WEBHOOKS=true: as for deliver-webhook',
  },
};
