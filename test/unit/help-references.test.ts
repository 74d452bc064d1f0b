import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A README or docs page a string points at, and the section it names (if any). */
interface Reference {
  doc: string;
  section?: string;
}

/** `README, "Upload"`, `README.md, "Upload"`, `docs/api.md, "Upload"`. */
const NAMED_SECTION = /(?<![\w/.-])(README(?:\.md)?|docs\/[\w-]+(?:\/[\w-]+)*\.md), "([^"]+)"/g;
/** `docs/search-query.md` on its own. */
const BARE_DOC = /(?<![\w/.-])docs\/[\w-]+(?:\/[\w-]+)*\.md\b/g;
/** What follows a bare doc when it is really naming a section some other way: `#anchor`, `"Section"`, `section 'X'`, `("X")`. */
const SECTION_AFTER = /^(?:#|\s*[,:]?\s*\(?\s*(?:section\s+)?["“'‘«])/i;
/** Any other mention of a README or a docs page: a form this test cannot check. */
const MENTION = /(?<![\w/.-])(?:README|docs\/)/i;

/** The references a string makes, or `unknown` when it names a README or docs section in a form not listed above. */
function referencesIn(text: string): { references: Reference[]; unknown: boolean } {
  const references: Reference[] = [];
  let rest = text.replace(NAMED_SECTION, (_, doc: string, section: string) => {
    references.push({ doc: doc.startsWith('README') ? 'README.md' : doc, section });
    return ' ';
  });
  let unknown = false;
  rest = rest.replace(BARE_DOC, (doc: string, offset: number, whole: string) => {
    if (SECTION_AFTER.test(whole.slice(offset + doc.length))) unknown = true;
    else references.push({ doc });
    return ' ';
  });
  return { references, unknown: unknown || MENTION.test(rest) };
}

/** Every string literal of a TypeScript file, template literals' fixed parts included. */
function stringLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      found.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The text of every Markdown heading (ATX, any level), code blocks skipped: README's sessions hold `# …` comment lines. */
function headings(markdown: string): Set<string> {
  const found = new Set<string>();
  let fence: { char: string; length: number } | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      const char = marker.charAt(0);
      if (!fence) fence = { char, length: marker.length };
      else if (char === fence.char && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence) continue;
    const text = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1];
    if (text) found.add(text);
  }
  return found;
}

const functionFiles = readdirSync(join(ROOT, 'functions'), { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.ts'))
  .map((path) => `functions/${path.split('\\').join('/')}`)
  .sort();

const literals = functionFiles.flatMap((file) => stringLiterals(file).map((text) => ({ file, text })));

const headingsOf = new Map<string, Set<string>>();
function docHeadings(doc: string): Set<string> | undefined {
  if (!headingsOf.has(doc)) {
    const path = join(ROOT, doc);
    if (existsSync(path)) headingsOf.set(doc, headings(readFileSync(path, 'utf8')));
  }
  return headingsOf.get(doc);
}

describe('referencesIn', () => {
  it.each([
    ['See the upload fields in docs/api.md, "Upload".', [{ doc: 'docs/api.md', section: 'Upload' }], false],
    ['(see README, "Tagging jobs")', [{ doc: 'README.md', section: 'Tagging jobs' }], false],
    ['README.md, "Configuration" and docs/search-query.md', [{ doc: 'README.md', section: 'Configuration' }, { doc: 'docs/search-query.md' }], false],
    ['See the API reference in the README.', [], true],
    ['see docs/api.md#upload', [], true],
    ['docs/api.md, section "Upload"', [], true],
    ['docs/api.md (“Upload”)', [], true],
    ['see the docs/ folder', [], true],
    ['https://cloud.google.com/docs/authentication', [], false],
  ])('%j', (text, references, unknown) => {
    expect(referencesIn(text)).toEqual({ references, unknown });
  });
});

describe('help texts name docs that exist', () => {
  const referencing = literals.flatMap(({ file, text }) => referencesIn(text).references.map((reference) => ({ file, text, reference })));

  it('finds the references (so that the checks below are not vacuous)', () => {
    expect(referencing.map(({ reference }) => reference)).toContainEqual({ doc: 'docs/api.md', section: 'Upload' });
  });

  it('names only files that exist, and sections that are headings in them', () => {
    const problems = referencing.flatMap(({ file, text, reference: { doc, section } }) => {
      const names = docHeadings(doc);
      if (!names) return [`${file}: ${JSON.stringify(text)} names ${doc}, which does not exist`];
      if (section !== undefined && !names.has(section))
        return [`${file}: ${JSON.stringify(text)} names ${doc}, "${section}", but ${doc} has no heading "${section}"`];
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('names README and docs sections only in a form this test can check', () => {
    const problems = literals
      .filter(({ text }) => referencesIn(text).unknown)
      .map(
        ({ file, text }) =>
          `${file}: ${JSON.stringify(text)} names a README or docs section in a form this test cannot check: write README, "<Section>", docs/<name>.md, "<Section>" or docs/<name>.md`,
      );
    expect(problems).toEqual([]);
  });
});

describe('the repo points nowhere outside itself', () => {
  // Built from parts, so that this file does not mention them itself.
  const OUTSIDE = [['..', 'shared', ''].join('/'), ['CONTRACT', 'md'].join('.')];

  it('no tracked file mentions the shared folder or the contract it holds', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((path) => path && path !== 'package-lock.json' && !path.split('/').includes('node_modules'));
    const problems: string[] = [];
    for (const path of tracked) {
      const full = join(ROOT, path);
      // Deleted in the working tree but still tracked: nothing to read.
      if (!existsSync(full) || !statSync(full).isFile()) continue;
      const bytes = readFileSync(full);
      if (bytes.subarray(0, 8000).includes(0)) continue;
      bytes
        .toString('utf8')
        .split(/\r?\n/)
        .forEach((line, index) => {
          for (const outside of OUTSIDE) {
            if (line.includes(outside)) problems.push(`${path}:${index + 1} mentions "${outside}": ${line.trim()}`);
          }
        });
    }
    expect(problems).toEqual([]);
  });
});
