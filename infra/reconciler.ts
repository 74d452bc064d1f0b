import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RECONCILE_EVERY_MINUTES } from '../functions/core/run-watches.js';
import { AitagsFunction } from './lambda-function.js';
import type { Storage } from './storage.js';

export interface ReconcilerProps {
  storage: Storage;
  /** The Express run machine: lost runs are started again there. */
  taggingWorkflow: StateMachine;
  /** The Standard machine: lost webhooks are resumed there, on their retry schedule. */
  continuationWorkflow: StateMachine;
}

/**
 * reconcile-runs every 10 minutes: tagging runs past their deadline with an extension still pending are
 * started again once, then recorded failed (WORKFLOW_LOST) with their webhooks sent, and webhooks whose
 * execution was lost between attempts are resumed (docs/architecture.md, "Nothing stays pending").
 */
export class Reconciler extends Construct {
  readonly handler: AitagsFunction;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    this.handler = new AitagsFunction(this, 'ReconcileRuns', {
      entry: 'reconcile-runs',
      description: 'aitags: takes over tagging runs whose workflow was lost',
      memorySize: 256,
      timeout: Duration.minutes(5),
      environment: {
        AITAGS_STATE_MACHINE_ARN: props.taggingWorkflow.stateMachineArn,
        AITAGS_CONTINUATION_STATE_MACHINE_ARN: props.continuationWorkflow.stateMachineArn,
      },
    });
    // Query: the watches past their deadline (the search index's run-watches partition); GetItem and BatchGetItem: each file, each watch,
    // each webhook owed's delivery; PutItem/DeleteItem: a watch moved on or ended; UpdateItem: an extension recorded failed and its tag
    // entries, a webhook given up (its delivery and the file's mark).
    props.storage.bindTable(this.handler, [
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
    ]);
    props.taggingWorkflow.grantStartExecution(this.handler);
    props.continuationWorkflow.grantStartExecution(this.handler);
    new Rule(this, 'Every10Minutes', {
      description: 'aitags: look for lost tagging runs',
      schedule: Schedule.rate(Duration.minutes(RECONCILE_EVERY_MINUTES)),
      targets: [new LambdaFunction(this.handler, { retryAttempts: 2 })],
    });
  }
}
