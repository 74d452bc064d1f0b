/** The media library page's files, each with its content type: the build writes exactly these, the page route serves only these. */
export const PAGE_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
} as const;

export type PageFileName = keyof typeof PAGE_FILES;

export const PAGE_FILE_NAMES = Object.keys(PAGE_FILES) as PageFileName[];

/** What `GET /` serves; `/assets/{file}` serves any of the four. */
export const PAGE_DOCUMENT = 'index.html' satisfies PageFileName;

export const isPageFile = (name: string): name is PageFileName => Object.hasOwn(PAGE_FILES, name);

/**
 * Everything from the page's own origin, images also from where file URLs point (the CDN, and S3 for
 * presigned private URLs). No inline script or style anywhere, and nothing may frame the page, since it
 * holds the private key.
 */
export function pageContentSecurityPolicy(imageOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    `img-src ${["'self'", ...imageOrigins].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The headers of one page file. The document is revalidated every time (it names the assets by content
 * hash); assets may be reused for a few minutes.
 */
export function pageFileHeaders(name: PageFileName, contentSecurityPolicy: string): Record<string, string> {
  const common = { 'content-type': PAGE_FILES[name], 'x-content-type-options': 'nosniff' };
  if (name === PAGE_DOCUMENT) {
    return { ...common, 'cache-control': 'no-cache', 'content-security-policy': contentSecurityPolicy, 'referrer-policy': 'no-referrer' };
  }
  return { ...common, 'cache-control': 'public, max-age=300' };
}
