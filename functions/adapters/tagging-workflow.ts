import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { TaggingRunInput } from '../core/tagging-run.js';
import { stepFunctionsClient } from './clients/step-functions.js';

/** The tagging workflow (a Step Functions state machine): one execution per tagging run. */
export interface TaggingWorkflow {
  /** Starts an execution named `name` (the run id unless the run is started again). */
  start(run: TaggingRunInput, name?: string): Promise<void>;
}

export class StepFunctionsTaggingWorkflow implements TaggingWorkflow {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = stepFunctionsClient(),
  ) {}

  async start(run: TaggingRunInput, name = run.runId): Promise<void> {
    // The run id names the execution: a retried start with the same input is accepted as the same
    // execution while it runs; once it has ended, Step Functions says it exists, which is just as good.
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(run) }));
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
    }
  }
}
