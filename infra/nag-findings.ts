import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resource's ARN as cdk-nag writes it inside a finding id (`<StorageBucket5CB7C8EA.Arn>`), so that an
 * acknowledgement names exactly the grant it covers, e.g. `AwsSolutions-IAM5[Resource::<…Arn>/public/*]`.
 */
export function arnInFinding(construct: IConstruct): string {
  return `<${Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement)}.Arn>`;
}

/** The finding on every Lambda role that carries AWS's basic execution policy. */
export const BASIC_EXECUTION_ROLE_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
