import * as z from 'zod/mini';
import { badRequest } from './errors.js';
import { checkTags } from './file-fields.js';
import { jsonBodyError } from './json-body.js';

/** ImageKit's `files.bulk` bodies (docs/api.md, "Bulk tag operations"). */
export type BulkTagOperation = 'addTags' | 'removeTags' | 'removeAITags';

export interface BulkTagRequest {
  operation: BulkTagOperation;
  /** Each once, in the order sent. */
  fileIds: string[];
  tags: string[];
}

export const MAX_BULK_TAG_FILES = 50;
export const MAX_BULK_DELETE_FILES = 100;

const fileIdsSchema = (max: number) =>
  z
    .array(z.string({ error: 'must hold strings only' }), { error: 'must be an array of fileIds' })
    .check(z.minLength(1, { error: 'must name at least one file' }), z.maxLength(max, { error: `must name at most ${max} files` }));
const tagsSchema = z
  .array(z.string({ error: 'must hold strings only' }), { error: 'must be an array of strings' })
  .check(z.minLength(1, { error: 'must name at least one tag' }));

const BULK_HELP: Record<BulkTagOperation | 'delete', string> = {
  addTags: `Send {"fileIds": [...], "tags": [...]} with at most ${MAX_BULK_TAG_FILES} fileIds.`,
  removeTags: `Send {"fileIds": [...], "tags": [...]} with at most ${MAX_BULK_TAG_FILES} fileIds.`,
  removeAITags: `Send {"fileIds": [...], "AITags": [...]} with at most ${MAX_BULK_TAG_FILES} fileIds.`,
  delete: `Send {"fileIds": [...]} with at most ${MAX_BULK_DELETE_FILES} fileIds.`,
};

const tagBodySchema = z.strictObject({ fileIds: fileIdsSchema(MAX_BULK_TAG_FILES), tags: tagsSchema }, { error: 'must be a JSON object' });
const aiTagBodySchema = z.strictObject({ fileIds: fileIdsSchema(MAX_BULK_TAG_FILES), AITags: tagsSchema }, { error: 'must be a JSON object' });
const deleteBodySchema = z.strictObject({ fileIds: fileIdsSchema(MAX_BULK_DELETE_FILES) }, { error: 'must be a JSON object' });

export function parseBulkTagRequest(operation: BulkTagOperation, body: unknown): BulkTagRequest {
  const help = BULK_HELP[operation];
  if (operation === 'removeAITags') {
    const result = aiTagBodySchema.safeParse(body);
    if (!result.success) throw jsonBodyError(result.error, help);
    return { operation, fileIds: distinct(result.data.fileIds), tags: checkedTags(result.data.AITags, 'AITags', help) };
  }
  const result = tagBodySchema.safeParse(body);
  if (!result.success) throw jsonBodyError(result.error, help);
  return { operation, fileIds: distinct(result.data.fileIds), tags: checkedTags(result.data.tags, 'tags', help) };
}

export function parseBulkDeleteRequest(body: unknown): { fileIds: string[] } {
  const result = deleteBodySchema.safeParse(body);
  if (!result.success) throw jsonBodyError(result.error, BULK_HELP.delete);
  return { fileIds: distinct(result.data.fileIds) };
}

/** Upload's limits; blank tags are dropped, and a list of only blanks names no tag. */
function checkedTags(tags: string[], field: string, help: string): string[] {
  const clean = checkTags(tags, field);
  if (!clean) throw badRequest(`${field} must name at least one non-blank tag`, help);
  return clean;
}

const distinct = (ids: string[]) => [...new Set(ids)];
