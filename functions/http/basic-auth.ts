import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../core/errors.js';

const AUTH_HELP = 'Send HTTP Basic auth with the private API key as the username and any password (curl: -u "$AITAGS_PRIVATE_KEY:").';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Checks `Authorization: Basic base64(key:anything)` against the key in constant time; throws 401 otherwise. */
export function checkBasicAuth(header: string | undefined, privateKey: string): void {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match?.[1]) throw new ApiError(401, 'Missing or malformed Authorization header', AUTH_HELP);
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const username = colon === -1 ? decoded : decoded.slice(0, colon);
  if (!timingSafeEqual(digest(username), digest(privateKey))) throw new ApiError(401, 'Wrong API key', AUTH_HELP);
}
