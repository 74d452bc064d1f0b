import { secretSetting } from '../adapters/secrets.js';
import { privateKeyConfig } from '../runtime/config.js';

const { privateKey, privateKeySecretArn } = privateKeyConfig();

/** The private API key (HTTP Basic username): configured locally, a Secrets Manager secret on AWS. */
export const apiPrivateKey = secretSetting(privateKey, privateKeySecretArn, (text) => {
  if (!text) throw new Error('The private key secret is empty');
  return text;
});
