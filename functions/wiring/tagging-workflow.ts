import { StepFunctionsTaggingWorkflow } from '../adapters/tagging-workflow.js';
import { taggingWorkflowConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { stateMachineArn } = taggingWorkflowConfig();

export const taggingWorkflow = once(() => new StepFunctionsTaggingWorkflow(stateMachineArn));
