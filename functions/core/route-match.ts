/** `/v1/files/{fileId}/details` matches `/v1/files/abc/details` → `{ fileId: 'abc' }`; otherwise undefined. */
export function matchRoutePath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, index) => [name, decodeSegment(match[index + 1] ?? '')]));
}

/** A malformed escape (`%zz`) stays as sent: such an id then simply matches no file. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
