import { StepFunctionsTaggingWorkflow } from '../adapters/tagging-workflow.js';
import { continuationWorkflowConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';

const { stateMachineArn } = continuationWorkflowConfig();
export const continuationWorkflowArn = stateMachineArn;

/** The Standard state machine: continuations of runs, and webhooks the reconciler resumes. */
export const continuationWorkflow = once(() => new StepFunctionsTaggingWorkflow(stateMachineArn));
