import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAGE_FILE_NAMES, type PageFileName } from '../core/page-files.js';

/** Every page file as text (all four are), read once: a missing one fails the cold start, naming it. */
export function readPageFiles(dir: string): Readonly<Record<PageFileName, string>> {
  const read = (name: PageFileName) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (error) {
      throw new Error(`The page file ${name} is missing from ${dir} (AITAGS_PAGE_DIR): ${(error as Error).message}`);
    }
  };
  return Object.fromEntries(PAGE_FILE_NAMES.map((name) => [name, read(name)])) as Record<PageFileName, string>;
}
