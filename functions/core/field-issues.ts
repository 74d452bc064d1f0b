import type * as z from 'zod/mini';

/** `extensions[1].minConfidence` from a zod path, prefixed by the request field it came from. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), root);
}

/** The first zod issue as one sentence that names the field. */
export function describeFirstIssue(error: z.core.$ZodError, root = ''): string {
  const issue = error.issues[0];
  if (!issue) return `${root || 'request'} is invalid`;
  if (issue.code === 'unrecognized_keys') {
    const where = fieldPath(root, issue.path);
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return where ? `${where} has unsupported field(s) ${keys}` : `Unsupported field(s) ${keys}`;
  }
  return `${fieldPath(root, issue.path) || 'request'} ${issue.message}`;
}
