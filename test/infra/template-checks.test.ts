import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveIntrinsic, type TemplateValue } from '../../local/synthesized-template.js';
import { StackTemplate } from './stack-template.js';

const run = promisify(execFile);

let synthesized: StackTemplate;

beforeAll(() => {
  synthesized = new StackTemplate();
});

/** Every state machine of the template by logical id, its definition made plain ASL (tokens resolved as the local runtime does). */
function stateMachineDefinitions(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(synthesized.resources)
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .map(([id, resource]) => [id, JSON.parse(resolveIntrinsic(resource.Properties?.DefinitionString as TemplateValue)) as unknown]),
  );
}

/** asl-validator's errors, as `CODE: message` lines (it writes defaults into what it is given: it gets a copy). */
const aslErrors = (definition: unknown) => validator(structuredClone(definition)).errors.map((error) => `${error['Error code']}: ${error.Message}`);

describe('state machine definitions (asl-validator)', () => {
  it('are valid Amazon States Language, every one of them', () => {
    const definitions = stateMachineDefinitions();
    expect(Object.keys(definitions)).toContain(synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine));
    expect(Object.fromEntries(Object.entries(definitions).map(([id, definition]) => [id, aslErrors(definition)]))).toEqual(
      Object.fromEntries(Object.keys(definitions).map((id) => [id, []])),
    );
  });

  it('reports a Choice that points at no state (the validator bites)', () => {
    const definition = structuredClone(stateMachineDefinitions()[synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine)]) as {
      States: Record<string, { ItemProcessor: { States: Record<string, { Default?: string }> } }>;
    };
    const pickTagger = definition.States['Tag each extension']?.ItemProcessor.States['Pick the tagger'];
    if (!pickTagger) throw new Error("no 'Pick the tagger' in the tagging workflow");
    pickTagger.Default = 'Nowhere';
    expect(aslErrors(definition)).toContain("MISSING_TRANSITION_TARGET: Missing 'StartAt'|'Next'|'Default' target: Nowhere");
  });
});

/** One cfn-lint match (`cfn-lint --format json`), the fields the assertions read. */
interface CfnLintMatch {
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/** Runs the Python cfn-lint (preinstalled here and on CI) on a template written to a temporary file. */
async function cfnLint(template: unknown): Promise<CfnLintMatch[]> {
  const dir = await mkdtemp(join(tmpdir(), 'aitags-cfn-lint-'));
  const file = join(dir, 'Aitags.template.json');
  try {
    await writeFile(file, JSON.stringify(template, undefined, 1));
    const stdout = await run('cfn-lint', ['--format', 'json', file]).then(
      (result) => result.stdout,
      (error: unknown) => {
        const failure = error as { code?: unknown; stdout?: unknown };
        if (failure.code === 'ENOENT') {
          throw new Error('cfn-lint is not on PATH. Install the Python tool: pip install cfn-lint (the npm package of that name is unrelated).');
        }
        // Its exit code is a bit mask of the levels it found; the findings are on stdout either way.
        if (typeof failure.stdout === 'string' && failure.stdout.trim().startsWith('[')) return failure.stdout;
        throw error;
      },
    );
    return JSON.parse(stdout) as CfnLintMatch[];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const described = (matches: CfnLintMatch[]) => matches.map((match) => `${match.Rule.Id} ${match.Location.Path.join('/')}: ${match.Message}`);

describe('cfn-lint', () => {
  it('finds no error in the synthesized template (warnings printed with AITAGS_TEST_VERBOSE=1)', async () => {
    const matches = await cfnLint(synthesized.template.toJSON());
    const warnings = matches.filter((match) => !match.Rule.Id.startsWith('E'));
    if (warnings.length && process.env.AITAGS_TEST_VERBOSE === '1') {
      console.warn(`cfn-lint warnings (${warnings.length}):\n${described(warnings).join('\n')}`);
    }
    expect(described(matches.filter((match) => match.Rule.Id.startsWith('E')))).toEqual([]);
  }, 60_000);

  it('reports an invalid property as an error (the check bites)', async () => {
    const matches = await cfnLint({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'soon' } } } });
    expect(described(matches)).toEqual(["E3012 Resources/Queue/Properties/MessageRetentionPeriod: 'soon' is not of type 'integer'"]);
  }, 60_000);
});
