import { Duration, SecretValue, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  Choice,
  type IChainable,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  Result,
  StateMachine,
  Succeed,
  Wait,
  WaitTime,
  StateMachineType,
  TaskInput,
  type TaskStateBase,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { AitagsFunction } from './lambda-function.js';
import { arnInFinding } from './nag-findings.js';
import { stateMachineLogGroup } from './state-machine-logs.js';
import type { Storage } from './storage.js';
import { EXTENSION_NAMES, type ExtensionName } from '../functions/core/extension-names.js';
import { THROTTLED_PROVIDER_ERROR, TRANSIENT_PROVIDER_ERROR } from '../functions/core/provider-errors.js';
import { PREPARED_PREFIX } from '../functions/core/provider-image.js';
import { PACED_THROTTLES_EXCEEDED } from '../functions/core/pacer.js';
import type { ProviderQuotas } from '../functions/core/provider-quotas.js';
import { WORKFLOW_LOST_ERROR } from '../functions/core/tagging-run.js';
import { WEBHOOK_RETRY_DELAYS_SECONDS, webhookWaitStateName } from '../functions/core/webhook-events.js';

/** State names: the local runtime keys its task handlers and time-lapse overrides by them. */
export const TAGGING_STATES = {
  tagEachExtension: 'Tag each extension',
  pickTagger: 'Pick the tagger',
  recordFailure: 'Record extension failure',
  failureNotRecorded: 'Extension failure not recorded',
  unknownExtension: 'Unknown extension',
  webhookOwed: 'Webhook owed?',
  noWebhookOwed: 'No webhook owed',
  deliverWebhook: 'Deliver webhook',
  afterWebhookAttempt: 'After the webhook attempt',
  webhookDelivered: 'Webhook delivered',
  webhookGivenUp: 'Webhook given up',
  webhookCrashed: 'Wait after a crashed webhook attempt',
  runFailed: 'Tagging run failed',
  workflowLost: 'Workflow lost',
  takeTurn: 'Take a turn',
  turnGiven: 'Turn given?',
  waitForTurn: 'Wait for the turn',
  waitInLine: 'Wait in line',
  pickPacedTagger: 'Pick the tagger, turn taken',
  pickUnpacedTagger: 'Pick the tagger, unpaced',
  turnNotTaken: 'Turn not taken',
  resumeWebhook: 'Resume the webhook',
  resumeWebhookRetry: 'Resume the webhook retries',
  continueTagging: 'Continue on Standard',
  continuePacedTagging: 'Continue on Standard, paced',
  continueWebhook: 'Continue the webhook on Standard',
  continued: 'Continued on Standard',
  notContinued: 'Continuation not started',
} as const;

/**
 * Which tagger Lambda runs each extension: the Choice state is built from this map, and a new extension
 * name does not compile until it has a tagger here.
 */
export const TAGGERS: Readonly<Record<ExtensionName, { entry: string; constructId: string; stateName: string; description: string }>> = {
  'aws-auto-tagging': {
    entry: 'tag-with-rekognition',
    constructId: 'TagWithRekognition',
    stateName: 'Tag with Rekognition',
    description: 'aitags aws-auto-tagging: Rekognition DetectLabels',
  },
  'google-auto-tagging': {
    entry: 'tag-with-vision',
    constructId: 'TagWithVision',
    stateName: 'Tag with Vision',
    description: 'aitags google-auto-tagging: Vision label detection',
  },
};

/**
 * How a tagger retries a throttled call (a provider over its quota, or Lambda over the taggers'
 * concurrency) without knowing the quota: full-jitter backoff from 1 s, doubling, capped at 16 s. Once
 * ramped up, each waiting call tries again every 8 s on average, so a backlog keeps the quota busy while
 * it holds more than 8 s of it; the tail, when it holds less, lasts about one cap and wastes about half of
 * it: ≈ 8 s of quota per burst, under 10 % of a 100 s burst (500 calls at 5/s). A shorter cap wastes less
 * but costs more attempts, each a state transition and a Lambda invocation. 100 attempts keep a call
 * trying for ≈ 13 min on average (ramp 1+2+4+8 s, then 96 waits of 0–16 s; over 10 min for all but about
 * one call in a thousand), so a backlog of about 10 minutes of quota (3000 calls at 5/s) still clears.
 */
export const THROTTLING_RETRY = { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 16, maxAttempts: 100 } as const;

/**
 * A tagger's memory, from `npm run bench:cost -- memory` (docs/benchmarks.md): preparing the largest image
 * accepted (a 16,383² RGBA PNG) peaks at ≈ 292 MB RSS, so the floor is 384 MB (peak × 1.25, in 64 MB steps).
 * Most of a tagger's time is the provider's answer, billed by memory: 512 MB halves that line against 1,024
 * (the CPU-bound transcode of a photo over 1,600 px costs about the same GB-s either way, ≈ 0.25 s longer).
 */
export const TAGGER_MEMORY = { mb: 512, floorMb: 384 } as const;

/** One retrier's schedule: Interval × BackoffRate^n, capped at MaxDelay, full jitter. */
export interface RetrySchedule {
  intervalSeconds: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  maxAttempts: number;
}

/** How one extension's tagging retries and how long each attempt may take: an upload's run, or a job's file. */
export interface TaggingRetries {
  /** Each tagger attempt's TimeoutSeconds (inside the Lambda's own 60 s: a stuck call surfaces as States.Timeout). */
  taggerTimeoutSeconds: number;
  /** A transient provider fault, a timed-out attempt (and, where CDK's own retrier is off, a Lambda service error). */
  transient: RetrySchedule;
  throttling: RetrySchedule;
  /** Record extension failure's retries and TimeoutSeconds. */
  recordFailure: RetrySchedule & { timeoutSeconds?: number };
  /** CDK's LambdaInvoke retrier for Lambda service errors (6 attempts from 2 s): kept, or folded into `transient`. */
  cdkServiceRetrier: boolean;
}

/** An upload's run: a Standard execution with time to spare, so a backlog of throttled calls still clears. */
export const RUN_RETRIES: TaggingRetries = {
  taggerTimeoutSeconds: 55,
  transient: { intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 30, maxAttempts: 4 },
  throttling: THROTTLING_RETRY,
  recordFailure: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 5 },
  cdkServiceRetrier: true,
};

/**
 * A tagging job's file, inside an Express child that AWS stops at 5 minutes: few attempts, short ones.
 * The job is paced below the quotas, so throttling is rare; a file that still fails is counted failed and
 * can be tagged again. Its worst case is bounded by a template test (infra/state-machine-bounds.ts).
 */
export const JOB_FILE_RETRIES: TaggingRetries = {
  taggerTimeoutSeconds: 25,
  transient: { intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 30, maxAttempts: 1 },
  throttling: { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 16, maxAttempts: 2 },
  recordFailure: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 1, timeoutSeconds: 10 },
  cdkServiceRetrier: false,
};

/**
 * A tagging run on the Express machine, which AWS stops at 5 minutes: few attempts, short ones. An extension
 * the provider still throttles (or still fails transiently, or times out) once these are spent continues on
 * the Standard machine with RUN_RETRIES
 * (docs/architecture.md, "Standard or Express"). Its worst case is bounded by a template test
 * (infra/state-machine-bounds.ts) under EXPRESS_RUN_MAX_SECONDS.
 */
export const EXPRESS_RUN_RETRIES: TaggingRetries = {
  taggerTimeoutSeconds: 20,
  transient: { intervalSeconds: 2, backoffRate: 2, maxDelaySeconds: 30, maxAttempts: 1 },
  throttling: { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 4, maxAttempts: 2 },
  recordFailure: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 1, timeoutSeconds: 10 },
  cdkServiceRetrier: false,
};

/** The Express run's longest path, every retrier and timeout counted, within AWS's 300 s with a margin. */
export const EXPRESS_RUN_MAX_SECONDS = 240;

/** How the Express run makes one attempt at a webhook, takes a turn, and starts a continuation. */
const EXPRESS_WEBHOOK_ATTEMPT = { timeoutSeconds: 15, retry: { intervalSeconds: 2, backoffRate: 2, maxAttempts: 1 } } as const;
const EXPRESS_TAKE_TURN_RETRY = { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 8, maxAttempts: 2 } as const;
const EXPRESS_CONTINUATION = { timeoutSeconds: 10, retry: { intervalSeconds: 1, backoffRate: 2, maxAttempts: 2 } } as const;

/** What the Express machine logs: errors only, unless `expressLogLevel` (CDK context) is ALL, then every event with its data. */
export type ExpressLogLevel = 'ERROR' | 'ALL';

/** The Lambda service errors CDK's LambdaInvoke retries by itself (its `retryOnServiceExceptions`). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
] as const;

const retryProps = (schedule: RetrySchedule) => ({
  interval: Duration.seconds(schedule.intervalSeconds),
  maxAttempts: schedule.maxAttempts,
  backoffRate: schedule.backoffRate,
  ...(schedule.maxDelaySeconds !== undefined && { maxDelay: Duration.seconds(schedule.maxDelaySeconds) }),
  jitterStrategy: JitterType.FULL,
});

export interface TaggingWorkflowProps {
  storage: Storage;
  /** `https://…` serving public files: webhook bodies carry the File object with its URLs. */
  deliveryBaseUrl: string;
  /** Reserved concurrency of each tagger Lambda. @default none (the account's unreserved pool) */
  taggerConcurrency?: number;
  /** Reserved concurrency of deliver-webhook. @default none (the account's unreserved pool) */
  webhookConcurrency?: number;
  /** The providers' quotas: objects under ingest/ take their turns at 80 % of them, with tagging jobs. */
  quotas: ProviderQuotas;
  /** Monthly provider budgets, the taggers' AITAGS_MONTHLY_BUDGET_USD (JSON); `{}`: none. */
  monthlyBudgetUsd: string;
  /** AITAGS_PROVIDER_PRICES (JSON; `{}` is the list prices): what a budget counts per image. */
  providerPrices: string;
  /** What the Express run machine logs to CloudWatch Logs. @default 'ERROR' */
  expressLogLevel?: ExpressLogLevel;
}

/** Where an extension carrying a webhook to resume (the reconciler's, after its execution was lost) goes. */
export interface WebhookResume {
  /** Its first attempt, never made. */
  deliver: IChainable;
  /** The Choice that waits before attempt 2…8 by `$.webhook.attempt`, then delivers. */
  afterAttempt: IChainable;
}

/** Where the Express run hands an extension to the Standard machine (see EXPRESS_RUN_RETRIES). */
export interface ContinueOnStandard {
  /** An unpaced tagger still throttled, or still failing transiently: the item's own `paced` goes along. */
  unpaced: IChainable;
  /** After a turn at the pacer (sent to wait in line, or throttled at its turn): continued paced. */
  paced: IChainable;
}

/**
 * What only a run's workflow has (not a job's file): the lost rule, the pacer's turns, and either the
 * webhook loop the reconciler resumes (Standard) or the hand-over to the Standard machine (Express).
 */
export interface RunWorkflowParts {
  takeTurn: AitagsFunction;
  webhookResume?: WebhookResume;
  continueOnStandard?: ContinueOnStandard;
}

/**
 * One extension of one file, as both state machines run it: the Choice that picks its tagger Lambda,
 * which retries provider faults with backoff and, once retries are spent, is caught and recorded
 * `failed`. Both the tagger and the failure recorder go on to `after`, or end there.
 */
/**
 * The Map over a run's `extensions` (state input `{fileId, runId, extensions}`), one item per extension
 * through extensionTagging; each item's result lands in `$.outcomes`.
 */
export function eachExtensionTagged(
  scope: Construct,
  taggers: Readonly<Record<ExtensionName, AitagsFunction>>,
  recordFailure: AitagsFunction,
  retries: TaggingRetries,
  after?: IChainable,
  /**
   * The upload run's workflow: the reconciler may start it for a run lost twice (`lost: true` in every
   * input) or to resume webhooks (`extensions[].resume`), and an ingested object's run (`paced: true`)
   * takes its turns with `takeTurn` first.
   */
  runWorkflow?: RunWorkflowParts,
): MapState {
  return new MapState(scope, 'TagEachExtension', {
    stateName: TAGGING_STATES.tagEachExtension,
    itemsPath: '$.extensions',
    itemSelector: {
      fileId: JsonPath.stringAt('$.fileId'),
      runId: JsonPath.stringAt('$.runId'),
      extension: JsonPath.objectAt('$$.Map.Item.Value'),
      policyVersion: JsonPath.stringAt('$.policyVersion'),
      ...(runWorkflow && { lost: JsonPath.objectAt('$.lost'), paced: JsonPath.objectAt('$.paced') }),
      // The owner of the item's claims (functions/core/claims.ts): stable across the task's retries, another
      // in a second execution of the same run (at-least-once Express, or the reconciler's).
      ...(runWorkflow && { execution: JsonPath.stringAt('$$.Execution.Id') }),
    },
    resultPath: '$.outcomes',
  }).itemProcessor(extensionTagging(scope, taggers, recordFailure, retries, after, runWorkflow));
}

function extensionTagging(
  scope: Construct,
  taggers: Readonly<Record<ExtensionName, AitagsFunction>>,
  recordFailure: AitagsFunction,
  retries: TaggingRetries,
  after?: IChainable,
  runWorkflow?: RunWorkflowParts,
): Choice {
  const recordFailureState = new LambdaInvoke(scope, 'RecordFailureTask', {
    stateName: TAGGING_STATES.recordFailure,
    lambdaFunction: recordFailure,
    outputPath: '$.Payload',
    retryOnServiceExceptions: retries.cdkServiceRetrier,
    ...(retries.recordFailure.timeoutSeconds && { taskTimeout: Timeout.duration(Duration.seconds(retries.recordFailure.timeoutSeconds)) }),
  }).addRetry({ errors: [Errors.ALL], ...retryProps(retries.recordFailure) });
  // The extension stays pending, but its siblings go on; the item's output keeps both errors.
  recordFailureState.addCatch(new Succeed(scope, 'FailureNotRecorded', { stateName: TAGGING_STATES.failureNotRecorded }), {
    errors: [Errors.ALL],
    resultPath: '$.recordFailureError',
  });

  /**
   * A tagger task. `handOver`: where errors go instead of being recorded failed — a provider's throttling
   * to a new turn at the pacer, never retried here, where it would crowd the turns of others (`paced`); on
   * Express (`transientToo`), transient faults as well, once this machine's retries are spent, to the
   * Standard machine, which has the time to retry them with RUN_RETRIES.
   */
  const tagWith = (
    stateName: string,
    fn: AitagsFunction,
    handOver?: { to: IChainable; paced: boolean; transientToo: boolean; resultPath: string },
  ) => {
    const transientErrors = [TRANSIENT_PROVIDER_ERROR, Errors.TIMEOUT, ...(retries.cdkServiceRetrier ? [] : LAMBDA_SERVICE_ERRORS)];
    const task = new LambdaInvoke(scope, stateName.replace(/[\s,()]+/g, ''), {
      stateName,
      lambdaFunction: fn,
      outputPath: '$.Payload',
      // Inside the Lambda's own 60 s, so a stuck invocation surfaces as States.Timeout and is retried.
      taskTimeout: Timeout.duration(Duration.seconds(retries.taggerTimeoutSeconds)),
      retryOnServiceExceptions: retries.cdkServiceRetrier,
    }).addRetry({ errors: transientErrors, ...retryProps(retries.transient) });
    const throttlingErrors = [THROTTLED_PROVIDER_ERROR, 'Lambda.TooManyRequestsException'];
    if (!handOver) {
      return task
        .addRetry({ errors: throttlingErrors, ...retryProps(retries.throttling) })
        .addCatch(recordFailureState, { errors: [Errors.ALL], resultPath: '$.error' });
    }
    const handedOver = handOver.paced ? [THROTTLED_PROVIDER_ERROR] : [...throttlingErrors];
    if (handOver.transientToo) handedOver.push(...transientErrors, ...(handOver.paced ? ['Lambda.TooManyRequestsException'] : []));
    task
      .addRetry({ errors: handOver.paced ? ['Lambda.TooManyRequestsException'] : throttlingErrors, ...retryProps(retries.throttling) })
      .addCatch(handOver.to, { errors: handedOver, resultPath: handOver.resultPath });
    return task.addCatch(recordFailureState, { errors: [Errors.ALL], resultPath: '$.error' });
  };
  const continuation = runWorkflow?.continueOnStandard;

  if (after) recordFailureState.next(after);
  const pickTagger = new Choice(scope, 'PickTagger', { stateName: TAGGING_STATES.pickTagger });
  const taggerStates = EXTENSION_NAMES.map((name) => {
    const tagger = tagWith(
      TAGGERS[name].stateName,
      taggers[name],
      continuation && { to: continuation.unpaced, paced: false, transientToo: true, resultPath: '$.handedOver' },
    );
    return { name, state: after ? tagger.next(after) : tagger };
  });
  const unknownExtension = new Pass(scope, 'UnknownExtension', {
    stateName: TAGGING_STATES.unknownExtension,
    result: Result.fromObject({ Error: 'UnknownExtension', Cause: 'No tagger runs this extension name' }),
    resultPath: '$.error',
  });
  if (runWorkflow) {
    // A run lost twice: no tagger, the extension is recorded failed and its webhook (if owed) sent as for any
    // failure. A rule of this Choice, not a state of its own: every other run pays no extra transition.
    pickTagger.when(
      Condition.booleanEquals('$.lost', true),
      new Pass(scope, 'WorkflowLost', {
        stateName: TAGGING_STATES.workflowLost,
        result: Result.fromObject({ Error: WORKFLOW_LOST_ERROR, Cause: 'The run was lost, and lost again when started once more' }),
        resultPath: '$.error',
      }).next(recordFailureState),
    );
    // A webhook whose execution was lost between attempts: delivered from its next attempt, no tagger. Rules,
    // like the one above, so that no other run pays a transition; IsPresent first, as a missing path fails a rule.
    const resume = (id: string, stateName: string, next: IChainable) =>
      new Pass(scope, id, { stateName, outputPath: '$.extension.resume' }).next(next);
    const { webhookResume } = runWorkflow;
    if (webhookResume) {
      pickTagger
        .when(
          Condition.and(Condition.isPresent('$.extension.resume'), Condition.numberEquals('$.extension.resume.webhook.attempt', 1)),
          resume('ResumeWebhook', TAGGING_STATES.resumeWebhook, webhookResume.deliver),
        )
        .when(Condition.isPresent('$.extension.resume'), resume('ResumeWebhookRetry', TAGGING_STATES.resumeWebhookRetry, webhookResume.afterAttempt));
    }
    // An ingested object's extension that calls its provider takes a turn at the background pacer first,
    // and takes another when the provider throttles it (retries outside the pacer would crowd the turns
    // of others). A rule of this Choice too: unpaced runs pay no extra transition.
    const afterTurn = new Choice(scope, 'PickPacedTagger', { stateName: TAGGING_STATES.pickPacedTagger });
    // Once the pacer cannot be used (or throttled too often, the quota set above the real one): the unpaced taggers.
    const unpaced = new Choice(scope, 'PickUnpacedTagger', { stateName: TAGGING_STATES.pickUnpacedTagger });
    for (const { name, state } of taggerStates) unpaced.when(Condition.stringEquals('$.extension.name', name), state);
    unpaced.otherwise(unknownExtension);
    const take = turnTaking(scope, runWorkflow.takeTurn, afterTurn, unpaced, continuation?.paced);
    for (const name of EXTENSION_NAMES) {
      const paced = tagWith(
        `${TAGGERS[name].stateName}, paced`,
        taggers[name],
        continuation
          ? { to: continuation.paced, paced: true, transientToo: true, resultPath: '$.handedOver' }
          : { to: take, paced: true, transientToo: false, resultPath: '$.turn.throttled' },
      );
      afterTurn.when(Condition.stringEquals('$.extension.name', name), after ? paced.next(after) : paced);
    }
    afterTurn.otherwise(unknownExtension);
    pickTagger.when(Condition.and(Condition.booleanEquals('$.paced', true), Condition.numberGreaterThan('$.extension.maxTags', 0)), take);
  }
  for (const { name, state } of taggerStates) pickTagger.when(Condition.stringEquals('$.extension.name', name), state);
  return pickTagger.otherwise(unknownExtension);
}

/**
 * Take a turn → wait for it → `then`; or, sent to wait in line, wait → take a turn again. Waits are Wait
 * states of the Standard execution, never a Lambda sleeping. Should the pacer fail past its retries, or
 * the provider throttle the extension PACED_THROTTLES_MAX times, it goes on `unpaced`: the unpaced
 * tagger's throttling retries are the fallback, and nothing is lost. On Express (`lineTo` given), a turn
 * is waited for only within the pacer's horizon (INGEST_HORIZON_SECONDS); further back, the extension takes
 * no place in line and goes to `lineTo`, the Standard machine, where it waits in line.
 */
function turnTaking(scope: Construct, takeTurn: AitagsFunction, then: IChainable, unpaced: IChainable, lineTo?: IChainable): TaskStateBase {
  const take = new LambdaInvoke(scope, 'TakeTurnTask', {
    stateName: TAGGING_STATES.takeTurn,
    lambdaFunction: takeTurn,
    outputPath: '$.Payload',
    taskTimeout: Timeout.duration(Duration.seconds(10)),
    retryOnServiceExceptions: !lineTo,
    // On Express, no place in line: a ticket it took would be lost when it continues on Standard.
    ...(lineTo && {
      payload: TaskInput.fromObject({
        fileId: JsonPath.stringAt('$.fileId'),
        runId: JsonPath.stringAt('$.runId'),
        extension: JsonPath.objectAt('$.extension'),
        policyVersion: JsonPath.stringAt('$.policyVersion'),
        turn: { inLine: false },
      }),
    }),
  })
    .addRetry({ errors: [PACED_THROTTLES_EXCEEDED], maxAttempts: 0 })
    .addRetry({
      errors: [Errors.ALL],
      ...retryProps(lineTo ? EXPRESS_TAKE_TURN_RETRY : { intervalSeconds: 1, backoffRate: 2, maxDelaySeconds: 8, maxAttempts: 4 }),
    });
  take.addCatch(new Pass(scope, 'TurnNotTaken', { stateName: TAGGING_STATES.turnNotTaken }).next(unpaced), {
    errors: [Errors.ALL],
    resultPath: '$.turnError',
  });
  const inLine =
    lineTo ?? new Wait(scope, 'WaitInLine', { stateName: TAGGING_STATES.waitInLine, time: WaitTime.timestampPath('$.turn.askAgainAt') }).next(take);
  take.next(
    new Choice(scope, 'TurnGiven', { stateName: TAGGING_STATES.turnGiven })
      .when(
        Condition.isPresent('$.turn.at'),
        new Wait(scope, 'WaitForTurn', { stateName: TAGGING_STATES.waitForTurn, time: WaitTime.timestampPath('$.turn.at') }).next(then),
      )
      .otherwise(inLine),
  );
  return take;
}

/**
 * The tagging workflow: two state machines over the same tagger Lambdas (docs/architecture.md, "Standard
 * or Express"). Each tagging run is one execution of the Express `runStateMachine`; the Standard
 * `stateMachine` (the first one this stack had, kept with its logical id so that a deployed stack keeps
 * its executions in flight) continues what needs more time: an extension still throttled, or waiting in
 * line at the pacer, and a webhook whose first attempt failed. In both, a Map fans out one tagger Lambda
 * per extension; each retries provider faults with backoff and, once retries are spent, is caught and
 * recorded `failed`. No item ever fails: a failing item would make Step Functions stop its siblings, a
 * webhook waiting for its next attempt among them.
 */
export class TaggingWorkflow extends Construct {
  /** The Standard machine: continuations, and webhooks the reconciler resumes. */
  readonly stateMachine: StateMachine;
  /** The Express machine: one execution per tagging run (upload, PATCH, S3 trigger, the reconciler's reruns). */
  readonly runStateMachine: StateMachine;
  /** Hands an extension's tagging or its webhook's retries from a run's Express execution to the Standard machine. */
  readonly continueOnStandard: AitagsFunction;
  /** One tagger Lambda per extension. */
  readonly taggers: Readonly<Record<ExtensionName, AitagsFunction>>;
  readonly recordFailure: AitagsFunction;
  /** An ingested object's extension takes its turn at the provider's background pacer with this. */
  readonly takeTurn: AitagsFunction;
  readonly deliverWebhook: AitagsFunction;
  /** The Standard Webhooks signing secret, stored without its `whsec_` prefix. */
  readonly webhookSecret: Secret;
  /** A Google Cloud Vision API key or service-account JSON key; `{}` (no credentials) until an operator sets it. */
  readonly visionCredentials: Secret;

  constructor(scope: Construct, id: string, props: TaggingWorkflowProps) {
    super(scope, id);
    const { storage } = props;

    this.visionCredentials = new Secret(this, 'VisionCredentials', {
      description: 'aitags google-auto-tagging: a Google Cloud Vision API key, or a service-account JSON key',
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
    Validations.of(this.visionCredentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Holds a Google Cloud key an operator puts here; Secrets Manager cannot rotate a key that Google issues.',
    });

    const tagger = (name: ExtensionName) => {
      const { entry, constructId, description } = TAGGERS[name];
      const fn = new AitagsFunction(this, constructId, {
        entry,
        description,
        memorySize: TAGGER_MEMORY.mb,
        timeout: Duration.seconds(60),
        nativeModules: ['sharp'],
        reservedConcurrentExecutions: props.taggerConcurrency,
      });
      // Reads originals; reads and writes the images it prepared for the providers, kept for retries and the other extension.
      storage.bindBucket(fn, { 's3:GetObject': ['public', 'private', 'prepared'], 's3:PutObject': ['prepared'] });
      // Without it, GetObject on a prepared image not yet made answers 403 instead of 404. S3 checks that
      // ListBucket with the object's key as s3:prefix, so prepared/ is all it needs.
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [storage.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${PREPARED_PREFIX}*`] } },
        }),
      );
      storage.bindTable(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      // Each run holds its image's price of the extension's monthly budget before calling the provider.
      if (props.monthlyBudgetUsd !== '{}') {
        fn.addEnvironment('AITAGS_MONTHLY_BUDGET_USD', props.monthlyBudgetUsd);
        fn.addEnvironment('AITAGS_PROVIDER_PRICES', props.providerPrices);
      }
      return fn;
    };
    const rekognition = tagger('aws-auto-tagging');
    rekognition.addEnvironment('AITAGS_REKOGNITION_READS_S3', 'true');
    // DetectLabels has no resource-level permissions; reading the S3 object uses this role's s3:GetObject.
    rekognition.addToRolePolicy(new PolicyStatement({ actions: ['rekognition:DetectLabels'], resources: ['*'] }));
    Validations.of(rekognition).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'rekognition:DetectLabels supports no resource-level permissions; it is the only action granted on *.',
    });
    const vision = tagger('google-auto-tagging');
    vision.addEnvironment('AITAGS_VISION_CREDENTIALS_SECRET_ARN', this.visionCredentials.secretArn);
    this.visionCredentials.grantRead(vision);

    const recordFailure = new AitagsFunction(this, 'RecordExtensionFailure', {
      entry: 'record-extension-failure',
      description: 'aitags: records an extension as failed once its retries are spent',
      memorySize: 256,
      timeout: Duration.seconds(10),
    });
    // GetItem: when its write is dropped (superseded), it reads whether this run still owes a webhook.
    storage.bindTable(recordFailure, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.recordFailure = recordFailure;
    const takeTurn = new AitagsFunction(this, 'TakeTurn', {
      entry: 'take-turn',
      description: "aitags: an ingested object's turn at its provider's background pacer",
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { AITAGS_REKOGNITION_TPS: String(props.quotas.rekognitionTps), AITAGS_VISION_RPM: String(props.quotas.visionRpm) },
    });
    // UpdateItem takes the turn (and moves a waiting run's watch); GetItem reads the pacer when it is booked far ahead.
    storage.bindTable(takeTurn, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.takeTurn = takeTurn;
    this.taggers = { 'aws-auto-tagging': rekognition, 'google-auto-tagging': vision };

    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'aitags webhook signing secret: the Standard Webhooks secret is whsec_ followed by this value',
      generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 32 },
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Every webhook receiver verifies signatures with this secret; an automatic rotation would make them reject every event until updated.',
    });
    const deliverWebhook = new AitagsFunction(this, 'DeliverWebhook', {
      entry: 'deliver-webhook',
      description: 'aitags: one signed delivery attempt of one webhook event',
      memorySize: 256,
      // A receiver gets 10 s to answer 2xx; the rest is reading and recording.
      timeout: Duration.seconds(20),
      environment: { AITAGS_DELIVERY_BASE_URL: props.deliveryBaseUrl, AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'false' },
      reservedConcurrentExecutions: props.webhookConcurrency,
    });
    storage.bindBucket(deliverWebhook, { 's3:GetObject': ['private'] }); // presigned URLs of private files
    storage.bindTable(deliverWebhook, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    deliverWebhook.addEnvironment('AITAGS_WEBHOOK_SECRET_ARN', this.webhookSecret.secretArn);
    this.webhookSecret.grantRead(deliverWebhook);
    this.deliverWebhook = deliverWebhook;

    const { webhookOwed, ...webhookResume } = this.webhookLoop(deliverWebhook);
    const tagEachExtension = eachExtensionTagged(this, this.taggers, recordFailure, RUN_RETRIES, webhookOwed, { takeTurn, webhookResume });
    // Whatever an item still throws ends the run here, error and cause kept (States.Runtime, which no Catch takes, fails it directly).
    tagEachExtension.addCatch(
      new Fail(this, 'TaggingRunFailed', { stateName: TAGGING_STATES.runFailed, errorPath: '$.runError.Error', causePath: '$.runError.Cause' }),
      { errors: [Errors.ALL], resultPath: '$.runError' },
    );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'aitags: tag one file with the requested extensions; deliver the webhooks owed for those reported pending',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(tagEachExtension),
      timeout: Duration.hours(48),
      logs: {
        destination: stateMachineLogGroup(this, 'StateMachineLogs', 'TaggingWorkflow'),
        level: LogLevel.ALL,
        // Every transition, but not the items' data (webhook URLs, file metadata): execution history keeps that.
        includeExecutionData: false,
      },
      tracingEnabled: true,
    });
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Log delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments and friends) support no resource-level permissions.',
      },
      ...[rekognition, vision, recordFailure, takeTurn, deliverWebhook].map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::${arnInFinding(fn)}:*]`,
        reason: "CDK's LambdaInvoke grant: the function and its versions; the task invokes the unqualified ARN.",
      })),
    );

    this.continueOnStandard = new AitagsFunction(this, 'ContinueOnStandard', {
      entry: 'continue-on-standard',
      description: "aitags: hands what a run's Express execution has no time for to the Standard state machine",
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { AITAGS_CONTINUATION_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
    });
    // UpdateItem: the run's watch moves to the Standard run's deadline, and the extension's claim to its execution.
    storage.bindTable(this.continueOnStandard, ['dynamodb:UpdateItem']);
    this.stateMachine.grantStartExecution(this.continueOnStandard);
    this.runStateMachine = this.runMachine(props, { takeTurn, deliverWebhook, recordFailure });
  }

  /**
   * The Express machine of each tagging run: the Standard machine's Map, with EXPRESS_RUN_RETRIES, one
   * webhook attempt, and a hand-over to the Standard machine where time runs out (a template test holds
   * its worst case under EXPRESS_RUN_MAX_SECONDS).
   */
  private runMachine(
    props: TaggingWorkflowProps,
    fns: { takeTurn: AitagsFunction; deliverWebhook: AitagsFunction; recordFailure: AitagsFunction },
  ): StateMachine {
    // Its own scope: the same state names as the Standard machine's, under other construct ids.
    const run = new Construct(this, 'Run');
    const continued = new Succeed(run, 'Continued', { stateName: TAGGING_STATES.continued });
    // Not started after its retries: the extension stays pending (the reconciler runs it again past its watch's
    // deadline), or the webhook owed is resumed by the reconciler from its delivery's attempts.
    const notContinued = new Succeed(run, 'NotContinued', { stateName: TAGGING_STATES.notContinued });
    const continueWith = (id: string, stateName: string, payload: Record<string, unknown>) =>
      new LambdaInvoke(run, id, {
        stateName,
        lambdaFunction: this.continueOnStandard,
        payload: TaskInput.fromObject(payload),
        outputPath: '$.Payload',
        taskTimeout: Timeout.duration(Duration.seconds(EXPRESS_CONTINUATION.timeoutSeconds)),
        retryOnServiceExceptions: false,
      })
        .addRetry({ errors: [Errors.ALL], ...retryProps(EXPRESS_CONTINUATION.retry) })
        .addCatch(notContinued, { errors: [Errors.ALL], resultPath: '$.continuationError' })
        .next(continued);
    const tagging = (paced: boolean | string) => ({
      tagging: {
        fileId: JsonPath.stringAt('$.fileId'),
        runId: JsonPath.stringAt('$.runId'),
        extension: JsonPath.objectAt('$.extension'),
        policyVersion: JsonPath.stringAt('$.policyVersion'),
        paced: typeof paced === 'string' ? JsonPath.objectAt(paced) : paced,
      },
    });
    const continueOnStandard: ContinueOnStandard = {
      unpaced: continueWith('ContinueTagging', TAGGING_STATES.continueTagging, tagging('$.paced')),
      // After Take a turn, whose answer carries no `paced`: it was paced.
      paced: continueWith('ContinuePacedTagging', TAGGING_STATES.continuePacedTagging, tagging(true)),
    };
    const continueWebhook = continueWith('ContinueWebhook', TAGGING_STATES.continueWebhook, { webhook: JsonPath.entirePayload });

    // One attempt (and one retry of the Lambda itself): delivered, given up (a refused target), or continued on
    // the Standard machine from its next attempt — or from the first, when the Lambda kept failing.
    const deliver = new LambdaInvoke(run, 'DeliverWebhookTask', {
      stateName: TAGGING_STATES.deliverWebhook,
      lambdaFunction: fns.deliverWebhook,
      outputPath: '$.Payload',
      taskTimeout: Timeout.duration(Duration.seconds(EXPRESS_WEBHOOK_ATTEMPT.timeoutSeconds)),
      retryOnServiceExceptions: false,
    })
      .addRetry({ errors: [Errors.ALL], ...retryProps(EXPRESS_WEBHOOK_ATTEMPT.retry) })
      .addCatch(continueWebhook, { errors: [Errors.ALL], resultPath: '$.webhookError' });
    deliver.next(
      new Choice(run, 'AfterWebhookAttempt', { stateName: TAGGING_STATES.afterWebhookAttempt })
        .when(
          Condition.booleanEquals('$.webhook.delivered', true),
          new Succeed(run, 'WebhookDelivered', { stateName: TAGGING_STATES.webhookDelivered }),
        )
        .when(Condition.booleanEquals('$.webhook.gaveUp', true), new Succeed(run, 'WebhookGivenUp', { stateName: TAGGING_STATES.webhookGivenUp }))
        .otherwise(continueWebhook),
    );
    const webhookOwed = new Choice(run, 'WebhookOwed', { stateName: TAGGING_STATES.webhookOwed })
      .when(Condition.isPresent('$.webhook'), deliver)
      .otherwise(new Succeed(run, 'NoWebhookOwed', { stateName: TAGGING_STATES.noWebhookOwed }));

    const tagEachExtension = eachExtensionTagged(run, this.taggers, fns.recordFailure, EXPRESS_RUN_RETRIES, webhookOwed, {
      takeTurn: fns.takeTurn,
      continueOnStandard,
    });
    tagEachExtension.addCatch(
      new Fail(run, 'TaggingRunFailed', { stateName: TAGGING_STATES.runFailed, errorPath: '$.runError.Error', causePath: '$.runError.Cause' }),
      { errors: [Errors.ALL], resultPath: '$.runError' },
    );
    const all = props.expressLogLevel === 'ALL';
    const machine = new StateMachine(run, 'StateMachine', {
      comment: 'aitags: one tagging run (Express); what needs more time continues on the Standard machine',
      stateMachineType: StateMachineType.EXPRESS,
      definitionBody: DefinitionBody.fromChainable(tagEachExtension),
      timeout: Duration.minutes(5),
      logs: {
        destination: stateMachineLogGroup(run, 'Logs', 'TaggingRuns'),
        // Express keeps no execution history: its log is the only record of a run's states, errors by default.
        level: all ? LogLevel.ALL : LogLevel.ERROR,
        includeExecutionData: all,
      },
      tracingEnabled: true,
    });
    Validations.of(machine).acknowledge(
      ...(all
        ? []
        : [
            {
              id: 'AwsSolutions-SF1',
              reason:
                "ERROR by default: an Express run logs each event it emits, at a price per GB, and runs are followed by their Lambdas' structured logs (runId, fileId); -c expressLogLevel=ALL logs every event with its data.",
            },
          ]),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Log delivery (logs:CreateLogDelivery and friends) and X-Ray (xray:PutTraceSegments and friends) support no resource-level permissions.',
      },
      ...[...Object.values(this.taggers), fns.recordFailure, fns.takeTurn, fns.deliverWebhook, this.continueOnStandard].map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::${arnInFinding(fn)}:*]`,
        reason: "CDK's LambdaInvoke grant: the function and its versions; the task invokes the unqualified ARN.",
      })),
    );
    return machine;
  }

  /**
   * Per extension, after its final write: if the caller was told `pending`, deliver the event — one
   * attempt per Lambda call, Wait states in between on the schedule of WEBHOOK_RETRY_DELAYS_SECONDS
   * (jittered by the Lambda), never a Lambda sleeping. Its deliver state and the Choice after an attempt
   * also take the webhooks the reconciler resumes.
   */
  private webhookLoop(deliverWebhook: AitagsFunction): WebhookResume & { webhookOwed: Choice } {
    const deliver = new LambdaInvoke(this, 'DeliverWebhookTask', {
      stateName: TAGGING_STATES.deliverWebhook,
      lambdaFunction: deliverWebhook,
      outputPath: '$.Payload',
    }).addRetry({ errors: [Errors.ALL], interval: Duration.seconds(5), maxAttempts: 5, backoffRate: 2, jitterStrategy: JitterType.FULL });
    // The Lambda itself failing (not the receiver) is never a reason to drop the event: wait, try again.
    // A fault that persists ends the execution at its 48 h timeout, visible in metrics and history.
    deliver.addCatch(
      new Wait(this, 'WebhookCrashed', { stateName: TAGGING_STATES.webhookCrashed, time: WaitTime.duration(Duration.minutes(5)) }).next(deliver),
      { errors: [Errors.ALL], resultPath: '$.webhookError' },
    );
    const givenUp = new Succeed(this, 'WebhookGivenUp', { stateName: TAGGING_STATES.webhookGivenUp });
    let afterAttempt = new Choice(this, 'AfterWebhookAttempt', { stateName: TAGGING_STATES.afterWebhookAttempt })
      .when(
        Condition.booleanEquals('$.webhook.delivered', true),
        new Succeed(this, 'WebhookDelivered', { stateName: TAGGING_STATES.webhookDelivered }),
      )
      .when(Condition.booleanEquals('$.webhook.gaveUp', true), givenUp);
    WEBHOOK_RETRY_DELAYS_SECONDS.forEach((_, index) => {
      const attempt = index + 2;
      const wait = new Wait(this, `WaitBeforeWebhookAttempt${attempt}`, {
        stateName: webhookWaitStateName(attempt),
        time: WaitTime.secondsPath('$.webhook.waitSeconds'),
      });
      afterAttempt = afterAttempt.when(Condition.numberEquals('$.webhook.attempt', attempt), wait.next(deliver));
    });
    deliver.next(afterAttempt.otherwise(givenUp));
    const webhookOwed = new Choice(this, 'WebhookOwed', { stateName: TAGGING_STATES.webhookOwed })
      .when(Condition.isPresent('$.webhook'), deliver)
      .otherwise(new Succeed(this, 'NoWebhookOwed', { stateName: TAGGING_STATES.noWebhookOwed }));
    return { webhookOwed, deliver, afterAttempt };
  }
}
