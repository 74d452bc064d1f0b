import { existsSync } from 'node:fs';
import { getProfileName, loadSharedConfigFiles } from '@smithy/core/config';

/** Environment variables that, together, are a source of AWS credentials in the SDK's default chain. */
const AWS_ENVIRONMENT_SOURCES: ReadonlyArray<readonly string[]> = [
  ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
  ['AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'],
  ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'],
  ['AWS_CONTAINER_CREDENTIALS_FULL_URI'],
];
/** Settings of a shared-config profile that make it a source of credentials. */
const PROFILE_SOURCES = [
  'aws_access_key_id',
  'role_arn',
  'credential_process',
  'sso_session',
  'sso_start_url',
  'web_identity_token_file',
  'login_session',
];

/**
 * Whether the SDK's default chain has a source of AWS credentials to use, told from the environment and
 * the shared config and credentials files only: no provider is asked, and no instance-metadata address is
 * probed (on Lambda the role's keys are in the environment).
 */
export async function awsCredentialsConfigured(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (AWS_ENVIRONMENT_SOURCES.some((names) => names.every((name) => env[name]))) return true;
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const profile = getProfileName({ profile: env.AWS_PROFILE });
  const settings = { ...configFile[profile], ...credentialsFile[profile] };
  return PROFILE_SOURCES.some((setting) => Boolean(settings[setting]));
}

/** Google's Application Default Credentials, as far as a file that exists. */
export const googleCredentialsFileExists = (path: string) => existsSync(path);
