// zod/mini: the same checks as zod's chained API, in a form bundles tree-shake (see docs/benchmarks.md).
import * as z from 'zod/mini';
import { badRequest } from './errors.js';
import { EXTENSION_NAMES } from './extension-names.js';
import { describeFirstIssue } from './field-issues.js';

const required = (expected: string) => (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`);

/** What was sent instead of a name: a string quoted (cut at 100 characters), anything else by its kind — never serialised whole. */
function received(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.length > 100 ? `${input.slice(0, 100)}…` : input);
  if (input === null || typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : `a ${typeof input}`;
}

export const extensionSchema = z.strictObject(
  {
    name: z.enum(EXTENSION_NAMES, {
      error: (issue) => (issue.input === undefined ? 'is required' : `must be one of ${EXTENSION_NAMES.join(', ')} (got ${received(issue.input)})`),
    }),
    minConfidence: z
      .number({ error: required('a number') })
      .check(z.minimum(0, { error: 'must be between 0 and 100' }), z.maximum(100, { error: 'must be between 0 and 100' })),
    maxTags: z
      .number({ error: required('an integer') })
      .check(
        z.refine(Number.isInteger, { error: 'must be an integer between 0 and 30', abort: true }),
        z.minimum(0, { error: 'must be an integer between 0 and 30' }),
        z.maximum(30, { error: 'must be an integer between 0 and 30' }),
      ),
  },
  { error: 'must be an object {"name","minConfidence","maxTags"}' },
);
export type Extension = z.infer<typeof extensionSchema>;

export const extensionsSchema = z.array(z.pipe(z.unknown(), extensionSchema), { error: 'must be a JSON array' }).check(
  z.superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `repeats "${entry.name}": each extension may appear once` });
      }
      seen.add(entry.name);
    });
  }),
);

export const EXTENSIONS_HELP =
  'Send extensions as a JSON array of {"name","minConfidence","maxTags"} objects: name is aws-auto-tagging or google-auto-tagging (each at most once), minConfidence a number from 0 to 100, maxTags an integer from 0 to 30.';

/** Validates an already-parsed `extensions` value; throws a 400 naming the entry and field. */
export function parseExtensions(value: unknown): Extension[] {
  const result = extensionsSchema.safeParse(value);
  if (!result.success) throw badRequest(describeFirstIssue(result.error, 'extensions'), EXTENSIONS_HELP);
  return result.data;
}

/** Validates the multipart form of `extensions`: a JSON string. */
export function parseExtensionsJson(text: string): Extension[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('extensions is not valid JSON', EXTENSIONS_HELP);
  }
  return parseExtensions(value);
}
