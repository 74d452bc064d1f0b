import * as z from 'zod/mini';

/** Field schemas shared by the JSON bodies (update, upload-url); the rules they apply live in file-fields.ts. */
/**
 * The object as parsed, never copied key by key: a copy by assignment would turn a key named `__proto__`
 * into a prototype and drop it. Its values are checked by checkCustomMetadata.
 */
export const customMetadataSchema = z.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
  { error: 'must be a JSON object' },
);

/** Written into the file's record and each delivery item: bounded like everything else there. */
export const MAX_WEBHOOK_URL_CHARS = 2048;

export const webhookUrlSchema = z.string().check(
  z.maxLength(MAX_WEBHOOK_URL_CHARS, { error: `must be at most ${MAX_WEBHOOK_URL_CHARS} characters` }),
  z.refine(
    (text) => {
      try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { error: 'must be an absolute http(s) URL' },
  ),
);
