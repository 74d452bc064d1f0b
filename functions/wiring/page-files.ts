import { readPageFiles } from '../adapters/page-files.js';
import { pageContentSecurityPolicy } from '../core/page-files.js';
import { pageConfig } from '../runtime/config.js';

const { pageDir, imageOrigins } = pageConfig();

/** The built page, read at cold start, and the policy its document is served with. */
export const pageFiles = readPageFiles(pageDir);
export const pagePolicy = pageContentSecurityPolicy(imageOrigins);
