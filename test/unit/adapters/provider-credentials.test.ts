import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsCredentialsConfigured } from '../../../functions/adapters/provider-credentials.js';

let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aitags-aws-config-'));
});
afterEach(() => {
  process.env = { ...saved };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Shared config and credentials files with these contents, and nothing in the environment. */
async function files(credentials: string, config = '') {
  const credentialsFile = join(dir, `credentials-${Math.random()}`);
  const configFile = join(dir, `config-${Math.random()}`);
  await writeFile(credentialsFile, credentials);
  await writeFile(configFile, config);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN'])
    delete process.env[name];
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
  process.env.AWS_CONFIG_FILE = configFile;
}

describe('awsCredentialsConfigured', () => {
  it('is false with no environment keys and no shared files', async () => {
    await files('');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'missing');
    process.env.AWS_CONFIG_FILE = join(dir, 'missing-too');
    expect(await awsCredentialsConfigured()).toBe(false);
  });

  it('is true with both environment keys, false with only one', async () => {
    await files('');
    expect(await awsCredentialsConfigured({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).toBe(true);
    expect(await awsCredentialsConfigured({ AWS_ACCESS_KEY_ID: 'a' })).toBe(false);
  });

  it('reads the default profile, or the one AWS_PROFILE names', async () => {
    await files('[default]\naws_access_key_id = a\naws_secret_access_key = b\n', '[profile sso]\nsso_session = corp\n');
    expect(await awsCredentialsConfigured({})).toBe(true);
    expect(await awsCredentialsConfigured({ AWS_PROFILE: 'sso' })).toBe(true);
    expect(await awsCredentialsConfigured({ AWS_PROFILE: 'nobody' })).toBe(false);
  });

  it('does not count a profile that only sets a region', async () => {
    await files('', '[default]\nregion = eu-west-1\n');
    expect(await awsCredentialsConfigured({})).toBe(false);
  });
});
