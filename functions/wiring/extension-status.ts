import { awsCredentialsConfigured, googleCredentialsFileExists } from '../adapters/provider-credentials.js';
import type { CredentialSource } from '../core/extension-status.js';
import { budgetConfig, versionConfig, visionConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { StatusDeps } from '../services/extension-status.js';
import { budgetLedger } from './budgets.js';
import { extensionFailures } from './extension-failures.js';
import { visionCredentials } from './vision-credentials.js';

const vision = visionConfig();
const { version } = versionConfig();

async function visionSource(): Promise<CredentialSource> {
  const credentials = await visionCredentials();
  const configured =
    credentials.kind === 'api-key' ||
    credentials.kind === 'service-account' ||
    (credentials.kind === 'application-default' && googleCredentialsFileExists(vision.googleApplicationCredentials ?? ''));
  return configured ? { configured: true } : { configured: false, where: vision.credentialsSecretArn ? 'aws-secret' : 'local' };
}

export const extensionStatusDeps = once(
  (): StatusDeps => ({
    version,
    credentials: {
      'aws-auto-tagging': async () => ((await awsCredentialsConfigured()) ? { configured: true } : { configured: false, where: 'local' }),
      'google-auto-tagging': visionSource,
    },
    failures: extensionFailures(),
    budgets: { caps: budgetConfig().budgets, ledger: budgetLedger() },
  }),
);
