import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPageFiles } from '../adapters/page-files.js';
import { pageContentSecurityPolicy } from '../core/page-files.js';
import { pageConfig } from '../runtime/config.js';

const { pageDir, imageOrigins } = pageConfig();

/**
 * The built page, read at cold start, and the policy its document is served with. A relative
 * AITAGS_PAGE_DIR is beside this module: in a Lambda bundle, the folder the stack built the page into.
 */
export const pageFiles = readPageFiles(resolve(dirname(fileURLToPath(import.meta.url)), pageDir));
export const pagePolicy = pageContentSecurityPolicy(imageOrigins);
