import type { BudgetState } from './budget.js';
import type { ExtensionName } from './extension-names.js';
import type { ExtensionError } from './file-record.js';

/** The most recent run of an extension that ended `failed`. */
export interface LastFailure extends ExtensionError {
  /** ISO time the failure was recorded. */
  at: string;
}

/** One extension in `GET /v1/status`. */
export interface ExtensionStatus {
  available: boolean;
  reason?: 'MISSING_CREDENTIALS';
  help?: string;
  lastFailure?: LastFailure;
  /** This month's budget and spend, when the extension has a budget (AITAGS_MONTHLY_BUDGET_USD). */
  budget?: BudgetState;
}

/** Where an extension's credentials would come from, as far as can be told without a network call. */
export type CredentialSource = { configured: true } | { configured: false; where: 'local' | 'aws-secret' };

const FAKES_HINT = 'or run `npm run fakes` and start aitags with the variables it prints (fixed test labels, the same for every image)';

/** What to do about missing credentials, per extension and per place they would come from. */
export function missingCredentialsHelp(name: ExtensionName, where: 'local' | 'aws-secret'): string {
  if (name === 'aws-auto-tagging') {
    return `Amazon Rekognition needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) before npm start, ${FAKES_HINT}.`;
  }
  if (where === 'aws-secret') {
    return 'Google Cloud Vision needs a key: put a Vision API key or a service-account JSON key in the secret named by the stack output VisionCredentialsSecretArn (aws secretsmanager put-secret-value --secret-id <arn> --secret-string "$KEY").';
  }
  return `Google Cloud Vision needs a key: set AITAGS_VISION_API_KEY (or GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON key file) before npm start, ${FAKES_HINT}.`;
}

export function extensionStatus(
  name: ExtensionName,
  credentials: CredentialSource,
  lastFailure: LastFailure | undefined,
  budget?: BudgetState,
): ExtensionStatus {
  return {
    available: credentials.configured,
    ...(!credentials.configured && { reason: 'MISSING_CREDENTIALS' as const, help: missingCredentialsHelp(name, credentials.where) }),
    ...(lastFailure && { lastFailure }),
    ...(budget && { budget }),
  };
}
