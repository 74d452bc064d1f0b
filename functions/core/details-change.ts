import * as z from 'zod/mini';
import { extensionsSchema } from './extensions.js';
import { jsonBodyError } from './json-body.js';
import { checkCustomCoordinates, checkTags } from './file-fields.js';
import { customMetadataSchema, webhookUrlSchema } from './field-schemas.js';

const detailsChangeSchema = z.strictObject(
  {
    tags: z.optional(z.nullable(z.array(z.string({ error: 'must hold strings only' }), { error: 'must be an array of strings or null' }))),
    customCoordinates: z.optional(z.nullable(z.string({ error: 'must be a string or null' }))),
    customMetadata: z.optional(customMetadataSchema),
    removeAITags: z.optional(z.union([z.literal('all'), z.array(z.string())], { error: 'must be "all" or an array of tag names' })),
    rejectedAITags: z.optional(z.array(z.string({ error: 'must hold tag names' }), { error: 'must be an array of tag names' })),
    extensions: z.optional(extensionsSchema),
    webhookUrl: z.optional(webhookUrlSchema),
  },
  { error: 'must be a JSON object' },
);
export type DetailsChange = z.infer<typeof detailsChangeSchema>;

const DETAILS_HELP =
  'PATCH accepts a JSON object with tags, customCoordinates, customMetadata, removeAITags, rejectedAITags, extensions and webhookUrl (see docs/api.md, "Update").';

/** A PATCH body (already JSON-parsed) → a validated change, or a 400 naming the field. */
export function parseDetailsChange(body: unknown): DetailsChange {
  const result = detailsChangeSchema.safeParse(body);
  if (!result.success) throw jsonBodyError(result.error, DETAILS_HELP);
  const change = result.data;
  return {
    ...change,
    ...(change.tags !== undefined && { tags: checkTags(change.tags) }),
    ...(change.customCoordinates !== undefined && { customCoordinates: checkCustomCoordinates(change.customCoordinates) }),
  };
}
