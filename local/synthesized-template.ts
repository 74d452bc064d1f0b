import { HANDLER_ENTRY_METADATA } from '../infra/handler-metadata.js';

/** Amazon States Language, as JSON. */
export type StateDefinition = Record<string, unknown> & { Type: string };
export interface MachineDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  [field: string]: unknown;
}

export interface SynthesizedWorkflow {
  definition: MachineDefinition;
  /** Task state name → the handler module (under functions/) its Lambda runs. */
  taskEntries: Record<string, string>;
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, TemplateValue>; Metadata?: Record<string, unknown> }>;
}

/** The handler module (under functions/) of the function a `Fn::GetAtt`/ARN names. */
export function handlerEntryOf(template: CfnTemplate, functionArnOrLogicalId: string): string {
  const logicalId = functionArnOrLogicalId.split(':').pop() ?? '';
  const entry = template.Resources[logicalId]?.Metadata?.[HANDLER_ENTRY_METADATA];
  if (typeof entry !== 'string') throw new Error(`${functionArnOrLogicalId} names no handler module`);
  return entry;
}

/** CloudFormation intrinsics in a definition string → plain text; a function's ARN names its logical id. */
export function resolveIntrinsic(value: TemplateValue): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${String(getAtt[0])}`;
    const ref = value.Ref;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return LOCAL_REGION;
    if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(resolveIntrinsic).join(join[0]);
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition`);
}

function* taskStates(states: Record<string, StateDefinition>): Generator<[string, StateDefinition]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') yield [name, state];
    const processor = (state.ItemProcessor ?? state.Iterator) as MachineDefinition | undefined;
    if (processor) yield* taskStates(processor.States);
    for (const branch of (state.Branches as MachineDefinition[] | undefined) ?? []) yield* taskStates(branch.States);
  }
}

/** The stack's state machines, by the logical id prefix of their construct. */
export const WORKFLOWS = { tagging: 'TaggingWorkflowStateMachine', taggingJobs: 'TaggingJobsStateMachine' } as const;

/**
 * A state machine exactly as `cdk synth` writes it (bundling skipped), made runnable: tokens resolved,
 * and each Lambda task mapped to the handler module that its function deploys.
 */
export function workflowOf(template: CfnTemplate, which: keyof typeof WORKFLOWS): SynthesizedWorkflow {
  const machines = Object.entries(template.Resources).filter(
    ([logicalId, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine' && logicalId.startsWith(WORKFLOWS[which]),
  );
  const [entry] = machines;
  const machine = entry?.[1];
  if (machines.length !== 1 || !machine?.Properties?.DefinitionString) throw new Error(`Expected one ${which} state machine in the stack`);
  const definition = JSON.parse(resolveIntrinsic(machine.Properties.DefinitionString)) as MachineDefinition;

  const taskEntries: Record<string, string> = {};
  for (const [name, state] of taskStates(definition.States)) {
    const functionArn = String((state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName ?? '');
    taskEntries[name] = handlerEntryOf(template, functionArn);
  }
  return { definition, taskEntries };
}

/** The tagging state machine (one execution per upload's or PATCH's run). */
export const taggingWorkflowOf = (template: CfnTemplate) => workflowOf(template, 'tagging');
