import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { TaggingRunInput } from '../core/tagging-run.js';
import { stepFunctions } from './aws-clients.js';

/** Starts one execution of the tagging state machine per upload or PATCH that asked for extensions. */
export interface TaggingRuns {
  start(input: TaggingRunInput): Promise<void>;
}

export class StepFunctionsTaggingRuns implements TaggingRuns {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = stepFunctions,
  ) {}

  async start(input: TaggingRunInput): Promise<void> {
    // The run id names the execution: a retried StartExecution with the same input is idempotent.
    await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: input.runId, input: JSON.stringify(input) }));
  }
}
