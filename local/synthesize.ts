import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AitagsStack, type AitagsStackProps } from '../infra/aitags-stack.js';
import type { CfnTemplate } from './synthesized-template.js';

/**
 * The stack as `cdk synth` writes it. Skipped: bundling (the local runtime runs the handler sources) and
 * CDK's built-in CloudFormation validation (WebAssembly, ≈ 4 s of the ≈ 7 s synth here; `cdk synth` for a
 * deploy, the template tests and cfn-lint still run it or its equivalent).
 */
export function synthesizeTemplate(props: AitagsStackProps = {}): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return Template.fromStack(new AitagsStack(app, 'Aitags', props)).toJSON() as CfnTemplate;
}
