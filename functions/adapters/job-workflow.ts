import { ExecutionAlreadyExists, ExecutionDoesNotExist, type SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctionsClient } from './clients/step-functions.js';

/** What the tagging-jobs state machine takes: a job to run, or (`ended`) a job that ended outside it and owes its webhook. */
export interface JobExecutionInput {
  jobId: string;
  ended?: boolean;
}

/** The tagging-jobs workflow (a Step Functions state machine with a Distributed Map): one execution per job. */
export interface JobWorkflow {
  /** Starts an execution named `name`; answers its ARN. A retried start of the same name and input is the same execution. */
  start(name: string, input: JobExecutionInput): Promise<string>;
  /** Stops an execution (its Map Run and child executions with it); one already ended is left as it is. */
  stop(executionArn: string, cause: string): Promise<void>;
}

export class StepFunctionsJobWorkflow implements JobWorkflow {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = stepFunctionsClient(),
  ) {}

  async start(name: string, input: JobExecutionInput): Promise<string> {
    try {
      const { executionArn } = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }),
      );
      if (!executionArn) throw new Error('StartExecution answered no executionArn');
      return executionArn;
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    }
  }

  async stop(executionArn: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, cause }));
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
}
