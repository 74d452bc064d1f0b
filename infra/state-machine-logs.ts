import { Fn, Stack } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Where Step Functions state machines log: CloudWatch Logs' prefix for vended logs. */
export const STATE_MACHINE_LOG_PREFIX = '/aws/vendedlogs/states/';

/**
 * A state machine's log group, named under /aws/vendedlogs/states/: Step Functions adds each log group it
 * delivers to to the account's CloudWatch Logs resource policy, which holds 5,120 characters; log groups
 * under /aws/vendedlogs/ are covered without growing it (Step Functions developer guide, "Avoiding
 * CloudWatch Logs resource policy size restrictions"). The name holds the stack's name, what logs there,
 * and the stack's id (a UUID): the log group outlives its stack (retained, as CDK's default), so a stack
 * created again under the same name gets a new one instead of failing with "already exists".
 */
export function stateMachineLogGroup(scope: Construct, id: string, what: string): LogGroup {
  const stack = Stack.of(scope);
  const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
  return new LogGroup(scope, id, {
    logGroupName: `${STATE_MACHINE_LOG_PREFIX}${stack.stackName}-${what}-${stackUuid}`,
    retention: RetentionDays.ONE_MONTH,
  });
}
