// zod/mini: the same checks as zod's chained API, in a form bundles tree-shake (see docs/benchmarks.md).
import * as z from 'zod/mini';
import { badRequest } from './errors.js';
import { EXTENSION_NAMES, SAVED_EXTENSION } from './extension-names.js';
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

/** `{"name":"saved-extension","id"}`: stands for a saved extension's config, resolved when the request arrives. */
export const savedExtensionRefSchema = z.strictObject({
  name: z.literal(SAVED_EXTENSION),
  id: z.string({ error: required('a saved extension id (a string)') }).check(z.minLength(1, { error: 'must be a saved extension id, not empty' })),
});
export type SavedExtensionRef = z.infer<typeof savedExtensionRefSchema>;

/** An entry of a request's `extensions`: an extension, or a reference to a saved one. */
export type RequestedExtension = Extension | SavedExtensionRef;

const ENTRY_NAMES = [...EXTENSION_NAMES, SAVED_EXTENSION].join(', ');

const requestedExtensionSchema = z.discriminatedUnion('name', [extensionSchema, savedExtensionRefSchema], {
  error: (issue) => {
    if (typeof issue.input !== 'object' || issue.input === null || Array.isArray(issue.input))
      return 'must be an object {"name","minConfidence","maxTags"} or {"name":"saved-extension","id"}';
    const name = (issue.input as { name?: unknown } | undefined)?.name;
    return name === undefined ? 'is required' : `must be one of ${ENTRY_NAMES} (got ${received(name)})`;
  },
});

export const extensionsSchema = z.array(z.pipe(z.unknown(), requestedExtensionSchema), { error: 'must be a JSON array' }).check(
  z.superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      const key = entry.name === SAVED_EXTENSION ? `${SAVED_EXTENSION}#${entry.id}` : entry.name;
      if (seen.has(key)) {
        const what = entry.name === SAVED_EXTENSION ? `saved extension "${entry.id}"` : `"${entry.name}"`;
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `repeats ${what}: each extension may appear once` });
      }
      seen.add(key);
    });
  }),
);

/**
 * An extension as a run carries it: the entry's settings, and the tag policy version of the saved
 * extension it came from when that one has its own policy (else the run applies the library's).
 */
export const runExtensionSchema = z.extend(extensionSchema, { policyVersion: z.optional(z.string()) });
export type RunExtension = z.infer<typeof runExtensionSchema>;

export const EXTENSIONS_HELP =
  'Send extensions as a JSON array of {"name","minConfidence","maxTags"} objects — name is aws-auto-tagging or google-auto-tagging (each at most once), minConfidence a number from 0 to 100, maxTags an integer from 0 to 30 — or {"name":"saved-extension","id"} for a saved extension (GET /v1/saved-extensions).';

/** Validates an already-parsed `extensions` value; throws a 400 naming the entry and field. */
export function parseExtensions(value: unknown): RequestedExtension[] {
  const result = extensionsSchema.safeParse(value);
  if (!result.success) throw badRequest(describeFirstIssue(result.error, 'extensions'), EXTENSIONS_HELP);
  return result.data;
}

/** Validates the multipart form of `extensions`: a JSON string. */
export function parseExtensionsJson(text: string): RequestedExtension[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('extensions is not valid JSON', EXTENSIONS_HELP);
  }
  return parseExtensions(value);
}
