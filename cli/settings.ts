/** Where the CLI finds the API and how often it reads a job, from the environment. */
export interface CliSettings {
  /** Without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  apiUrl: string;
  privateKey: string;
  /** How long to wait between two reads of a job being followed. */
  pollMs: number;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
export const DEFAULT_POLL_MS = 1000;

/** A setting is missing or wrong: the message names the variable (exit code 2). */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads AITAGS_URL, AITAGS_PRIVATE_KEY and AITAGS_CLI_POLL_MS; throws a SettingsError naming the one that is wrong. */
export function readSettings(env: Readonly<Record<string, string | undefined>>): CliSettings {
  const privateKey = env.AITAGS_PRIVATE_KEY?.trim();
  if (!privateKey) {
    throw new SettingsError(
      'AITAGS_PRIVATE_KEY is not set: export the private key of your aitags (npm start prints it once; locally it is kept in .aitags/private-key), ' +
        'e.g. AITAGS_PRIVATE_KEY=$(cat .aitags/private-key)',
    );
  }
  const url = env.AITAGS_URL?.trim() || DEFAULT_API_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SettingsError(`AITAGS_URL is not a URL (got "${url}"): give the API's address, e.g. ${DEFAULT_API_URL}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SettingsError(`AITAGS_URL must be an http(s) URL (got "${url}")`);
  }
  const pollText = env.AITAGS_CLI_POLL_MS?.trim();
  const pollMs = pollText ? Number(pollText) : DEFAULT_POLL_MS;
  if (!Number.isSafeInteger(pollMs) || pollMs < 1)
    throw new SettingsError(`AITAGS_CLI_POLL_MS must be a whole number of milliseconds from 1 (got "${pollText}")`);
  return { apiUrl: url.replace(/\/+$/, ''), privateKey, pollMs };
}
