import { z } from 'zod';

/** Field schemas shared by the JSON bodies (update, upload-url); the rules they apply live in file-fields.ts. */
export const customMetadataSchema = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });

export const webhookUrlSchema = z.string().refine(
  (text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: 'must be an absolute http(s) URL' },
);
