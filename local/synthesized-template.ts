import { HANDLER_ENTRY_METADATA } from '../infra/handler-metadata.js';

/** Amazon States Language, as JSON. */
export type StateDefinition = Record<string, unknown> & { Type: string };
export interface MachineDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  [field: string]: unknown;
}

/** A state machine's type, as CloudFormation's `StateMachineType` says (STANDARD when the template leaves it out). */
export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface SynthesizedWorkflow {
  definition: MachineDefinition;
  type: StateMachineType;
  /**
   * The state machine's logical id in the template: another definition of the template names it by the ARN
   * `localStateMachineArn(logicalId)` (a `states:startExecution` task's StateMachineArn). Absent for a definition written by hand.
   */
  logicalId?: string;
  /** Task state name → the handler module (under functions/) its Lambda runs. */
  taskEntries: Record<string, string>;
  /** Task states that start an execution of a state machine (`states:startExecution`, request-response). */
  startExecutionTasks: string[];
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

/** A local state machine's ARN, by its name (or, in a resolved definition, by its logical id). */
export const localStateMachineArn = (name: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;

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

/**
 * CloudFormation intrinsics in a definition string → plain text; a function's ARN names its logical id, and
 * so does a state machine's (`Ref`, as CDK writes it), given the template that holds it. Anything else throws,
 * unless `unresolved` stands in for it.
 */
export function resolveIntrinsic(value: TemplateValue, template?: CfnTemplate, unresolved?: (value: TemplateValue) => string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const isStateMachine = (logicalId: unknown) =>
      typeof logicalId === 'string' && template?.Resources[logicalId]?.Type === 'AWS::StepFunctions::StateMachine';
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && isStateMachine(getAtt[0])) return localStateMachineArn(String(getAtt[0]));
    if (Array.isArray(getAtt)) return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${String(getAtt[0])}`;
    const ref = value.Ref;
    if (isStateMachine(ref)) return localStateMachineArn(String(ref));
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return LOCAL_REGION;
    if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]))
      return join[1].map((part) => resolveIntrinsic(part, template, unresolved)).join(join[0]);
  }
  if (unresolved) return unresolved(value);
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
export const WORKFLOWS = {
  /** The Standard machine: continuations and resumed webhooks. */
  tagging: 'TaggingWorkflowStateMachine',
  /** The Express machine: one execution per tagging run. */
  taggingRuns: 'TaggingWorkflowRunStateMachine',
  taggingJobs: 'TaggingJobsStateMachine',
} as const;

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';

/**
 * One state machine of a template exactly as `cdk synth` writes it (bundling skipped), made runnable:
 * tokens resolved, each Lambda task mapped to the handler module that its function deploys, and each
 * `states:startExecution` task listed for the local endpoint to serve. Any other integration is refused here,
 * by name, rather than failing once an execution reaches it.
 */
export function synthesizedWorkflow(template: CfnTemplate, logicalId: string): SynthesizedWorkflow {
  const machine = template.Resources[logicalId];
  if (machine?.Type !== 'AWS::StepFunctions::StateMachine' || !machine.Properties?.DefinitionString)
    throw new Error(`${logicalId} is not a state machine with a definition in the template`);
  const definitionString = machine.Properties.DefinitionString;
  const type = machine.Properties.StateMachineType ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') throw new Error(`${logicalId}: unknown StateMachineType ${JSON.stringify(type)}`);
  let definition: MachineDefinition;
  try {
    definition = JSON.parse(resolveIntrinsic(definitionString, template)) as MachineDefinition;
  } catch (error) {
    // An unresolvable token (a queue's Ref, …) most often belongs to an integration this runtime does not run: name that
    // task instead. The stand-in, 0, is valid JSON inside quotes or out.
    const sketch = resolveIntrinsic(definitionString, template, () => '0');
    for (const [name, state] of taskStates((JSON.parse(sketch) as MachineDefinition).States)) integrationOf(name, state, logicalId);
    throw error;
  }

  const taskEntries: Record<string, string> = {};
  const startExecutionTasks: string[] = [];
  for (const [name, state] of taskStates(definition.States)) {
    if (integrationOf(name, state, logicalId) === 'startExecution') startExecutionTasks.push(name);
    else taskEntries[name] = handlerEntryOf(template, String((state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName ?? ''));
  }
  return { definition, type, logicalId, taskEntries, startExecutionTasks };
}

/** What a Task state calls, of what the local runtime runs; any other integration throws, naming the state. */
function integrationOf(name: string, state: StateDefinition, logicalId: string): 'lambda' | 'startExecution' {
  const resource = String(state.Resource ?? '');
  if (resource === LAMBDA_INVOKE) return 'lambda';
  if (resource === START_EXECUTION) return 'startExecution';
  if (resource.startsWith(`${START_EXECUTION}.`))
    throw new Error(
      `Task "${name}" of ${logicalId} uses ${resource}: the local runtime runs states:startExecution in its request-response form only (${START_EXECUTION})`,
    );
  throw new Error(
    `Task "${name}" of ${logicalId} calls ${resource || 'no resource'}: the local runtime runs Lambda tasks (${LAMBDA_INVOKE}) and ${START_EXECUTION} only`,
  );
}

/** One of the stack's state machines (WORKFLOWS), runnable locally (see synthesizedWorkflow). */
export function workflowOf(template: CfnTemplate, which: keyof typeof WORKFLOWS): SynthesizedWorkflow {
  const logicalIds = Object.keys(template.Resources).filter(
    (logicalId) => template.Resources[logicalId]?.Type === 'AWS::StepFunctions::StateMachine' && logicalId.startsWith(WORKFLOWS[which]),
  );
  const [logicalId] = logicalIds;
  if (logicalIds.length !== 1 || !logicalId) throw new Error(`Expected one ${which} state machine in the stack`);
  return synthesizedWorkflow(template, logicalId);
}

/** The Standard tagging state machine (continuations of runs, and resumed webhooks). */
export const taggingWorkflowOf = (template: CfnTemplate) => workflowOf(template, 'tagging');
