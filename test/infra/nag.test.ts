import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AitagsStack } from '../../infra/aitags-stack.js';

/** One cdk-nag finding nobody acknowledged. */
interface Finding {
  rule: string;
  path: string;
  message: string;
}

/** The parts of CDK's validation report (cdk.out/validation-report.json) the assertions read. */
interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * Synthesizes the stack (bundling skipped) with the AwsSolutions pack as a validation plugin, as cdk-nag 3
 * runs, and reads the report instead of letting synth throw, so a failure can list every finding.
 */
async function unacknowledgedFindings(change?: (stack: AitagsStack) => void): Promise<Finding[]> {
  const outdir = await mkdtemp(join(tmpdir(), 'aitags-nag-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false } });
    const stack = new AitagsStack(app, 'Aitags');
    change?.(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
    const report = JSON.parse(await readFile(join(outdir, VALIDATION_REPORT_FILE), 'utf8')) as ValidationReport;
    return report.pluginReports
      .filter((plugin) => plugin.pluginName === 'AwsSolutions')
      .flatMap((plugin) => plugin.violations)
      .flatMap((violation) =>
        violation.violatingConstructs.map((construct) => ({
          rule: violation.ruleName,
          path: construct.constructPath,
          message: violation.description,
        })),
      );
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

const listed = (findings: Finding[]) => findings.map((finding) => `${finding.rule} at ${finding.path}: ${finding.message}`).join('\n');

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing in the stack that is neither fixed nor acknowledged with a reason next to its resource', async () => {
    const findings = await unacknowledgedFindings();
    expect(findings, `unacknowledged cdk-nag findings:\n${listed(findings)}`).toEqual([]);
  }, 60_000);

  it('reports a resource added without an acknowledgement, by rule, path and message (the check bites)', async () => {
    const findings = await unacknowledgedFindings((stack) => new Queue(stack, 'Unchecked'));
    expect(findings).toEqual([
      {
        rule: 'AwsSolutions-SQS3',
        path: 'Aitags/Unchecked/Resource',
        message: 'The SQS queue is not used as a dead-letter queue (DLQ) and does not have a DLQ enabled.',
      },
      { rule: 'AwsSolutions-SQS4', path: 'Aitags/Unchecked/Resource', message: 'The SQS queue does not require requests to use SSL.' },
    ]);
  }, 60_000);
});
