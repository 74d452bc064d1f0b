import { describe, expect, it } from 'vitest';
import { isPageFile, PAGE_FILE_NAMES, pageContentSecurityPolicy, pageFileHeaders } from '../../../functions/core/page-files.js';

describe('the page files', () => {
  it('are exactly the document, the script, the stylesheet and the icon', () => {
    expect(PAGE_FILE_NAMES).toEqual(['index.html', 'app.js', 'app.css', 'favicon.svg']);
  });

  it.each(['app.js', 'favicon.svg', 'index.html'])('knows %s', (name) => {
    expect(isPageFile(name)).toBe(true);
  });

  it.each(['', 'app.js.map', '..', 'toString', '__proto__', 'App.js'])('knows no %j', (name) => {
    expect(isPageFile(name)).toBe(false);
  });
});

describe('pageContentSecurityPolicy', () => {
  it("allows only the page's own origin, and images also from the file URLs' origins", () => {
    expect(pageContentSecurityPolicy(['https://d111.cloudfront.net', 'https://files.s3.eu-west-1.amazonaws.com'])).toBe(
      "default-src 'self'; img-src 'self' https://d111.cloudfront.net https://files.s3.eu-west-1.amazonaws.com; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('takes no other image origin when none is configured', () => {
    expect(pageContentSecurityPolicy([])).toMatch(/^default-src 'self'; img-src 'self';/);
  });
});

describe('pageFileHeaders', () => {
  it('serves the document with the policy, revalidated every time', () => {
    expect(pageFileHeaders('index.html', "default-src 'self'")).toEqual({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': "default-src 'self'",
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ] as const)('serves %s as %s, cached for five minutes', (name, contentType) => {
    expect(pageFileHeaders(name, "default-src 'self'")).toEqual({
      'content-type': contentType,
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    });
  });
});
