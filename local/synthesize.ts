import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AitagsStack, type AitagsStackProps } from '../infra/aitags-stack.js';
import type { CfnTemplate } from './synthesized-template.js';

/** The stack as `cdk synth` writes it (bundling skipped: the local runtime runs the handler sources). */
export function synthesizeTemplate(props: AitagsStackProps = {}): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new AitagsStack(app, 'Aitags', props)).toJSON() as CfnTemplate;
}
