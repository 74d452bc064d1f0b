import { describe, expect, it } from 'vitest';
import { readSettings, SettingsError } from '../../cli/settings.js';

const settingsError = (env: Record<string, string>) => {
  try {
    readSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error('expected a SettingsError');
};

describe('readSettings', () => {
  it('defaults to the local API and a read every second', () => {
    expect(readSettings({ AITAGS_PRIVATE_KEY: 'private_abc' })).toEqual({ apiUrl: 'http://127.0.0.1:3000', privateKey: 'private_abc', pollMs: 1000 });
  });

  it('takes AITAGS_URL without its trailing slash, and AITAGS_CLI_POLL_MS', () => {
    expect(readSettings({ AITAGS_PRIVATE_KEY: 'k', AITAGS_URL: 'https://tags.example.com/', AITAGS_CLI_POLL_MS: '20' })).toEqual({
      apiUrl: 'https://tags.example.com',
      privateKey: 'k',
      pollMs: 20,
    });
  });

  it('names AITAGS_PRIVATE_KEY when it is missing or blank', () => {
    expect(settingsError({})).toMatch(/^AITAGS_PRIVATE_KEY is not set: /);
    expect(settingsError({ AITAGS_PRIVATE_KEY: '  ' })).toMatch(/^AITAGS_PRIVATE_KEY is not set: /);
  });

  it('names a wrong AITAGS_URL or AITAGS_CLI_POLL_MS', () => {
    expect(settingsError({ AITAGS_PRIVATE_KEY: 'k', AITAGS_URL: 'localhost:3000' })).toBe('AITAGS_URL must be an http(s) URL (got "localhost:3000")');
    expect(settingsError({ AITAGS_PRIVATE_KEY: 'k', AITAGS_URL: 'not a url' })).toBe(
      'AITAGS_URL is not a URL (got "not a url"): give the API\'s address, e.g. http://127.0.0.1:3000',
    );
    expect(settingsError({ AITAGS_PRIVATE_KEY: 'k', AITAGS_CLI_POLL_MS: '0' })).toBe(
      'AITAGS_CLI_POLL_MS must be a whole number of milliseconds from 1 (got "0")',
    );
  });
});
