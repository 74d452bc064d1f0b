import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AitagsStack, type AitagsStackProps } from '../../infra/aitags-stack.js';
import { HANDLER_ENTRY_METADATA } from '../../infra/lambda-function.js';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DeletionPolicy?: string;
}
export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}
/**
 * One action on one resource, the resource written as `bucket/public/*`, `table`, `privateKey`, `webhookSecret`,
 * `failedObjects`, `tag-with-vision`.
 */
export type Permission = `${string} ${string}`;
/** `{ 'Fn::GetAtt': [logicalId, attribute] }` */
export type GetAtt = { 'Fn::GetAtt': [string, string] };

/** One state of an Amazon States Language definition; the fields the assertions read. */
export interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  [field: string]: unknown;
}
export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, State>;
  [field: string]: unknown;
}

/**
 * The stack synthesized without bundling (esbuild and npm stay out of template tests; the handler files
 * must exist), and the lookups the assertions share. About 3 s: build one per test file.
 */
export class StackTemplate {
  readonly stack: AitagsStack;
  readonly template: Template;
  readonly resources: Record<string, CfnResource>;
  readonly outputs: Record<string, { Value: unknown; Description?: string }>;
  /** Logical id → a short name for the resources permissions and variables point at. */
  private readonly names: Record<string, string>;

  constructor(props: AitagsStackProps = {}) {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    this.stack = new AitagsStack(app, 'Aitags', props);
    this.template = Template.fromStack(this.stack);
    const json = this.template.toJSON() as { Resources: Record<string, CfnResource>; Outputs: StackTemplate['outputs'] };
    this.resources = json.Resources;
    this.outputs = json.Outputs;
    this.names = {
      [this.logicalId(this.stack.storage.bucket)]: 'bucket',
      [this.logicalId(this.stack.storage.table)]: 'table',
      [this.logicalId(this.stack.api.privateKey)]: 'privateKey',
      [this.logicalId(this.stack.delivery.distribution)]: 'distribution',
      [this.logicalId(this.stack.taggingWorkflow.visionCredentials)]: 'visionCredentials',
      [this.logicalId(this.stack.taggingWorkflow.webhookSecret)]: 'webhookSecret',
      [this.logicalId(this.stack.taggingWorkflow.stateMachine)]: 'stateMachine',
      [this.logicalId(this.stack.taggingWorkflow.runStateMachine)]: 'runStateMachine',
      [this.logicalId(this.stack.taggingJobs.stateMachine)]: 'jobsStateMachine',
      [this.logicalId(this.stack.trigger.failures)]: 'failedObjects',
      [this.logicalId(this.stack.alarms.topic)]: 'alarmTopic',
      // Functions by the handler module the template says they run, as the local runtime finds them.
      ...Object.fromEntries(this.functionIdsByEntry()),
    };
  }

  logicalId(construct: { node: { defaultChild?: unknown } }): string {
    return this.stack.getLogicalId(construct.node.defaultChild as CfnElement);
  }

  /** The AWS::Lambda::Function whose metadata `aitags:entry` names functions/<entry>.ts. */
  functionId(entry: string): string {
    const id = this.functionIdsByEntry().find(([, name]) => name === entry)?.[0];
    if (!id) throw new Error(`no AWS::Lambda::Function with ${HANDLER_ENTRY_METADATA} ${entry}`);
    return id;
  }

  /** `{ 'Fn::GetAtt': [<function of entry>, 'Arn'] }` */
  functionArn(entry: string): GetAtt {
    return { 'Fn::GetAtt': [this.functionId(entry), 'Arn'] };
  }

  functionProperties(entry: string): Record<string, unknown> {
    const properties = this.resources[this.functionId(entry)]?.Properties;
    if (!properties) throw new Error(`no properties for the function of ${entry}`);
    return properties;
  }

  /** The function's environment with every token rendered (see render). */
  environmentOf(entry: string): Record<string, string> {
    const variables = (this.functionProperties(entry).Environment as { Variables: Record<string, unknown> }).Variables;
    return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, this.render(value)]));
  }

  /** An ARN expression as text: `{Fn::Join: ['', [{Fn::GetAtt: [Bucket, 'Arn']}, '/public/*']]}` → `bucket/public/*`. */
  render(value: unknown): string {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map((item) => this.render(item)).join(',');
    const intrinsic = value as Record<string, unknown>;
    if ('Ref' in intrinsic) return this.names[String(intrinsic.Ref)] ?? `Ref(${String(intrinsic.Ref)})`;
    if ('Fn::GetAtt' in intrinsic) {
      const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
      const name = this.names[id] ?? id;
      return attribute === 'Arn' ? name : `${name}.${attribute}`;
    }
    if ('Fn::Join' in intrinsic) {
      const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => this.render(part)).join(separator);
    }
    return JSON.stringify(value);
  }

  /** Every `action resource` pair the function's role allows through its inline policies, sorted. */
  permissionsOf(entry: string): Permission[] {
    return this.permissionsOfRole(this.functionProperties(entry).Role);
  }

  /** Every `action resource` pair the role (`{Fn::GetAtt: [Role, 'Arn']}`) allows through its inline policies, sorted. */
  permissionsOfRole(roleArn: unknown): Permission[] {
    const roleId = roleIdOf(roleArn);
    const permissions: Permission[] = [];
    for (const resource of Object.values(this.resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const roles = (resource.Properties?.Roles ?? []) as { Ref: string }[];
      if (!roles.some((ref) => ref.Ref === roleId)) continue;
      for (const statement of statementsOf(resource)) {
        if (statement.Effect !== 'Allow') throw new Error(`${roleId} has a ${statement.Effect} statement`);
        for (const action of asList(statement.Action)) {
          for (const arn of asList(statement.Resource)) permissions.push(`${action} ${this.render(arn)}`);
        }
      }
    }
    return permissions.sort();
  }

  /** The managed policies attached to the function's role, by name (`AWSLambdaBasicExecutionRole`). */
  managedPoliciesOf(entry: string): string[] {
    const role = this.resources[roleIdOf(this.functionProperties(entry).Role)];
    const arns = (role?.Properties?.ManagedPolicyArns ?? []) as unknown[];
    return arns.map((arn) => this.render(arn).replace(/^.*:policy\/(service-role\/)?/, ''));
  }

  /**
   * The state machine's definition as JSON. CloudFormation gets it as `Fn::Join` of text and tokens; a
   * string that is one token becomes that token (`FunctionName: {Fn::GetAtt: [Fn, 'Arn']}`), a token inside
   * a string is rendered (`arn:Ref(AWS::Partition):states:::lambda:invoke`).
   */
  definitionOf(stateMachineId: string): StateMachineDefinition {
    const definition = this.resources[stateMachineId]?.Properties?.DefinitionString;
    if (typeof definition === 'string') return JSON.parse(definition) as StateMachineDefinition;
    const [separator, parts] = (definition as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const tokens: unknown[] = [];
    const text = parts.map((part) => (typeof part === 'string' ? part : `@@token${tokens.push(part) - 1}@@`)).join(separator);
    const token = (index: string) => tokens[Number(index)];
    return JSON.parse(text, (_key, value: unknown) => {
      if (typeof value !== 'string' || !value.includes('@@token')) return value;
      const whole = value.match(/^@@token(\d+)@@$/);
      if (whole?.[1]) return token(whole[1]);
      return value.replace(/@@token(\d+)@@/g, (_match, index: string) => this.render(token(index)));
    }) as StateMachineDefinition;
  }

  bucketPolicyStatements(): PolicyStatement[] {
    return Object.values(this.resources)
      .filter((resource) => resource.Type === 'AWS::S3::BucketPolicy')
      .flatMap(statementsOf);
  }

  private functionIdsByEntry(): [string, string][] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .flatMap(([id, resource]) => {
        const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
        return typeof entry === 'string' ? [[id, entry] as [string, string]] : [];
      });
  }
}

function roleIdOf(roleArn: unknown): string {
  const [roleId, attribute] = (roleArn as Partial<GetAtt>)['Fn::GetAtt'] ?? [];
  if (!roleId || attribute !== 'Arn') throw new Error(`not a role of this stack: ${JSON.stringify(roleArn)}`);
  return roleId;
}

export function statementsOf(policy: CfnResource): PolicyStatement[] {
  const document = policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] } | undefined;
  return document?.Statement ?? [];
}

export function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Every state by name, those inside a Map's item processor or a Parallel's branches included. */
export function allStates(definition: Pick<StateMachineDefinition, 'States'>): Record<string, State> {
  const states: Record<string, State> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (name in states) throw new Error(`two states are named ${name}`);
    states[name] = state;
    const nested = [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[] | undefined) ?? [])];
    for (const machine of nested) {
      if (!machine) continue;
      for (const [innerName, inner] of Object.entries(allStates(machine as StateMachineDefinition))) {
        if (innerName in states) throw new Error(`two states are named ${innerName}`);
        states[innerName] = inner;
      }
    }
  }
  return states;
}
