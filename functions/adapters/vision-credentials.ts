/** Vision's credentials, apart from its client: the status report reads them without loading Google's code. */

/** How the tagger authenticates to Vision: an API key, a service-account key, or nothing configured. */
export type VisionCredentials =
  | { kind: 'api-key'; apiKey: string }
  | { kind: 'service-account'; clientEmail: string; privateKey: string; projectId?: string }
  | { kind: 'application-default' }
  | { kind: 'none' };

/** Secret text → credentials: a service-account JSON key, or an API key. */
export function parseVisionSecret(text: string): VisionCredentials {
  const trimmed = text.trim();
  if (!trimmed) return { kind: 'none' };
  if (!trimmed.startsWith('{')) return { kind: 'api-key', apiKey: trimmed };
  let key: { client_email?: string; private_key?: string; project_id?: string };
  try {
    key = JSON.parse(trimmed) as typeof key;
  } catch {
    return { kind: 'none' }; // unreadable: reported as missing credentials, naming where they go
  }
  if (!key.client_email || !key.private_key) return { kind: 'none' };
  return { kind: 'service-account', clientEmail: key.client_email, privateKey: key.private_key, projectId: key.project_id };
}
