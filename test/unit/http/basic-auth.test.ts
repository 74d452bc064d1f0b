import { describe, expect, it } from 'vitest';
import { checkBasicAuth } from '../../../functions/http/basic-auth.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const KEY = 'private_k3J9xQ2aL0pZ';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('checkBasicAuth', () => {
  it.each([
    { case: 'an empty password (curl -u key:)', header: basic(`${KEY}:`) },
    { case: 'any password (the SDK placeholder)', header: basic(`${KEY}:anything-at-all`) },
    { case: 'a password holding colons', header: basic(`${KEY}:a:b:c`) },
    { case: 'no colon at all', header: basic(KEY) },
    { case: 'a lower-case scheme', header: `basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
  ])('lets the right key through with $case', ({ header }) => {
    expect(() => checkBasicAuth(header, KEY)).not.toThrow();
  });

  it.each([
    { case: 'a wrong key', header: basic('private_wrong:'), message: 'Wrong API key' },
    { case: 'the key as the password', header: basic(`user:${KEY}`), message: 'Wrong API key' },
    { case: 'a prefix of the key', header: basic(`${KEY.slice(0, -1)}:`), message: 'Wrong API key' },
    { case: 'the key with a suffix', header: basic(`${KEY}x:`), message: 'Wrong API key' },
    { case: 'an empty username', header: basic(':'), message: 'Wrong API key' },
    { case: 'a missing header', header: undefined, message: 'Missing or malformed Authorization header' },
    { case: 'an empty header', header: '', message: 'Missing or malformed Authorization header' },
    { case: 'a Bearer scheme', header: `Bearer ${KEY}`, message: 'Missing or malformed Authorization header' },
    { case: 'Basic without credentials', header: 'Basic ', message: 'Missing or malformed Authorization header' },
    { case: 'garbage after Basic', header: 'Basic !!not base64!!', message: 'Missing or malformed Authorization header' },
    { case: 'the key unencoded', header: `Basic ${KEY}:`, message: 'Missing or malformed Authorization header' },
  ])('rejects $case with a 401', ({ header, message }) => {
    // Act
    const error = thrownApiError(() => checkBasicAuth(header, KEY));

    // Assess
    expect(error.status).toBe(401);
    expect(error.message).toBe(message);
    expect(error.help).toContain('-u "$AITAGS_PRIVATE_KEY:"');
  });
});
