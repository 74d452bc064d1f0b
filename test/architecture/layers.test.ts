import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import { LAYER_RULES } from './layer-rules.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

async function violations(paths: string[], rules = LAYER_RULES): Promise<string[]> {
  const previous = process.cwd();
  process.chdir(repoRoot);
  try {
    const { output } = await cruise(paths, {
      validate: true,
      ruleSet: { forbidden: rules },
      tsPreCompilationDeps: true,
      tsConfig: { fileName: 'tsconfig.json' },
      doNotFollow: { path: 'node_modules' },
    });
    const result = output as ICruiseResult;
    return result.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
  } finally {
    process.chdir(previous);
  }
}

const scratch = await mkdtemp(join(repoRoot, 'test', 'architecture', '.fixture-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the layout of functions/', () => {
  it('keeps every dependency pointing down, with no circle and nothing from infra/ or local/', async () => {
    expect(await violations(['functions', 'infra', 'local'])).toEqual([]);
  }, 60_000);

  it('reports a circle, core importing an adapter, and a service importing an SDK (the rules bite)', async () => {
    // Prepare: a throwaway corner of functions/ that breaks three rules.
    const root = relative(repoRoot, scratch);
    await mkdir(join(scratch, 'core'), { recursive: true });
    await mkdir(join(scratch, 'adapters'), { recursive: true });
    await mkdir(join(scratch, 'services'), { recursive: true });
    await writeFile(
      join(scratch, 'core/a.ts'),
      "import { b } from './b.js';\nimport { store } from '../adapters/store.js';\nexport const a = () => b + store;\n",
    );
    await writeFile(join(scratch, 'core/b.ts'), "import { a } from './a.js';\nexport const b = String(a);\n");
    await writeFile(join(scratch, 'adapters/store.ts'), "export const store = 'store';\n");
    await writeFile(join(scratch, 'services/s.ts'), "import { S3Client } from '@aws-sdk/client-s3';\nexport const s = new S3Client({});\n");
    // Act: the same rules, aimed at the fixture instead of functions/.
    const rules = JSON.parse(JSON.stringify(LAYER_RULES).replaceAll('^functions/', `^${root}/`)) as typeof LAYER_RULES;
    const found = (await violations([root], rules)).map((line) => line.replaceAll(`${root}/`, 'functions/'));
    // Assess
    expect(found).toEqual(
      expect.arrayContaining([
        'no-circular: functions/core/a.ts → functions/core/b.ts',
        'core-is-pure: functions/core/a.ts → functions/adapters/store.ts',
        expect.stringMatching(/^services-no-sdk: functions\/services\/s\.ts → node_modules\/@aws-sdk\/client-s3/),
        expect.stringMatching(/^sdks-in-adapters-only: functions\/services\/s\.ts → node_modules\/@aws-sdk\/client-s3/),
      ]),
    );
  }, 60_000);
});
