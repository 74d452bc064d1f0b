/**
 * Sent with every public file: browsers take the stored type as is, and a file that is active content (an
 * SVG, an HTML page someone uploaded) runs no script and loads nothing when opened. The CDN (delivery.ts)
 * and its local stand-in (local/http-gateway.ts) send the same. A module of its own, free of aws-cdk-lib,
 * so that the local server does not load CDK for it.
 */
export const PUBLIC_FILE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
} as const;
