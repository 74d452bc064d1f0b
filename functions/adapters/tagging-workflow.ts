import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WebhookResumeInput } from '../core/run-continuations.js';
import type { TaggingRunInput } from '../core/tagging-run.js';
import { stepFunctionsClient } from './clients/step-functions.js';

/**
 * A tagging state machine: the Express one that runs each tagging run, or the Standard one that continues
 * what needs more time (docs/architecture.md, "Standard or Express").
 */
export interface TaggingWorkflow {
  /** Starts an execution named `name` (the run id unless the run is started again). */
  start(run: TaggingRunInput | WebhookResumeInput, name?: string): Promise<void>;
}

export class StepFunctionsTaggingWorkflow implements TaggingWorkflow {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = stepFunctionsClient(),
  ) {}

  async start(run: TaggingRunInput | WebhookResumeInput, name = run.runId): Promise<void> {
    // On Standard, the name makes a retried start idempotent: once an execution of that name exists,
    // Step Functions says so, which is just as good. Express runs any start again (at least once): the
    // runs' writes are conditional on their run id instead.
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(run) }));
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
