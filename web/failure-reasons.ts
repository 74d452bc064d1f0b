/**
 * Why an extension failed, as a sentence for people; the API's `reason` code stays stable for programs
 * (docs/api.md, "Extension error reasons"). The page puts the code in a title beside the sentence.
 */
const SENTENCES: Record<string, string> = {
  MISSING_CREDENTIALS: 'No credentials are set up for this provider.',
  ACCESS_DENIED: 'The provider refused access: check the permissions of the credentials.',
  NOT_AN_IMAGE: 'Only images can be auto-tagged.',
  UNSUPPORTED_IMAGE: 'The provider could not read this image (its format or size).',
  PROVIDER_UNAVAILABLE: 'The provider kept failing, even after retries: try again later.',
  PROVIDER_ERROR: 'The provider answered with an error.',
  TIMEOUT: 'The provider took too long to answer.',
  WORKFLOW_UNAVAILABLE: 'Auto-tagging could not be started: run it again.',
  FILE_DELETED: 'The file was deleted while it was being tagged.',
  SUPERSEDED: 'A newer auto-tagging run replaced this one.',
  BUDGET_EXCEEDED: "This provider's monthly budget is spent: it tags again when the month ends (UTC).",
  INTERNAL_ERROR: 'aitags failed unexpectedly while tagging: see the service logs.',
};

export const reasonSentence = (reason: string): string => SENTENCES[reason] ?? 'Auto-tagging failed.';
