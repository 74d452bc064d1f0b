import * as z from 'zod/mini';

/** Field schemas shared by the JSON bodies (update, upload-url); the rules they apply live in file-fields.ts. */
export const customMetadataSchema = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

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
