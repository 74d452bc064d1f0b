import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  type CfnStateMachine,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  ResultWriterV2,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  Timeout,
  type TaskStateBase,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { JOB_RESULTS_PREFIX } from '../functions/core/job-steps.js';
import { fastestJobRate, jobMaxConcurrency, type ProviderQuotas } from '../functions/core/tagging-job.js';
import { AitagsFunction } from './lambda-function.js';
import { arnInFinding } from './nag-findings.js';
import { stateMachineLogGroup } from './state-machine-logs.js';
import type { Storage } from './storage.js';
import { eachExtensionTagged, JOB_FILE_RETRIES, TAGGING_STATES, type TaggingWorkflow } from './tagging-workflow.js';

/** State names: the local runtime keys its task handlers and its Distributed Map stand-in by them. */
export const JOB_STATES = {
  endedAlready: 'Job ended already?',
  plan: 'Plan the job',
  anythingToTag: 'Anything to tag?',
  tagEachFile: 'Tag each file',
  startFile: 'Start the file',
  fileSkipped: 'File skipped?',
  waitForTurn: "Wait for the file's turn",
  tagEachExtension: TAGGING_STATES.tagEachExtension,
  countFile: 'Count the file',
  finish: 'Finish the job',
  webhookOwed: 'Job webhook owed?',
  deliverWebhook: 'Deliver the job webhook',
  recordWebhookGivenUp: 'Record the job webhook given up',
  webhookGivenUp: 'Job webhook given up',
  webhookGiveUpNotCounted: 'Job webhook give-up not counted',
  done: 'Job done',
} as const;

/** Start the file and Count the file: each attempt at most 10 s (their Lambdas take milliseconds), retried twice. */
export const JOB_FILE_STEP_RETRY = { timeoutSeconds: 10, intervalSeconds: 1, backoffRate: 2, maxAttempts: 2 } as const;

/** The longest one file's path (its Express child) may take in the worst case: under Express's 5 minutes, with room. */
export const JOB_FILE_PATH_MAX_SECONDS = 240;
/**
 * The Distributed Map's label: each Map Run's ARN carries it, and its child executions report their
 * metrics (ExecutionsFailed, ExecutionsTimedOut, …) under the state machine's ARN followed by `/` and it.
 */
export const JOB_FILES_LABEL = 'TagEachFile';

/** Items of the Distributed Map that may fail (a step failing past its retries) before the whole Map fails and the job with it. */
export const TOLERATED_FAILURE_PERCENTAGE = 5;

/**
 * The job's webhook: one attempt per Lambda call, retried from 5 s doubling to an hourly cap, 33 attempts
 * in all: 5+10+…+2560 s (≈ 1.4 h), then 23 hours at one an hour — a receiver down for a day still gets it.
 */
export const JOB_WEBHOOK_RETRY = { intervalSeconds: 5, backoffRate: 2, maxDelaySeconds: 3600, maxAttempts: 33 } as const;

/**
 * A ResultWriter whose bucket comes from the state (the manifest's) and whose grant is the results
 * prefix only: CDK's own grants every object of every bucket when the bucket is a path.
 */
class ScopedResultWriter extends ResultWriterV2 {
  constructor(
    props: ConstructorParameters<typeof ResultWriterV2>[0],
    private readonly grant: PolicyStatement,
  ) {
    super(props);
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [this.grant];
  }
}

export interface TaggingJobsProps {
  storage: Storage;
  taggingWorkflow: TaggingWorkflow;
  quotas: ProviderQuotas;
  /** The most Lambda functions one job runs at once (checked: at least one file's taggers side by side). */
  maxJobConcurrency: number;
  /** AITAGS_MONTHLY_BUDGET_USD (JSON; `{}`: none) and the prices it counts (AITAGS_PROVIDER_PRICES). */
  monthlyBudgetUsd: string;
  providerPrices: string;
}

/**
 * Tagging jobs: a Standard state machine per job. It plans (the selection, written to S3 as a manifest of
 * fileIds), then runs a Distributed Map over the manifest: each file is started, waits for its turn (the
 * job's rate, 80 % of the binding provider quota), runs the same tagger Lambdas with the same retries as
 * an upload's run, and is counted once. Then it ends the job and sends its webhook.
 */
export class TaggingJobs extends Construct {
  readonly stateMachine: StateMachine;
  /**
   * The most files a job keeps in flight: the fastest provider's share, ten seconds' worth, within
   * maxJobConcurrency Lambda functions (a job with one extension runs one function per file at a time).
   */
  readonly maxConcurrency: number;
  /** The most Lambda functions one job runs at once (the planner's AITAGS_MAX_JOB_CONCURRENCY). */
  readonly maxJobConcurrency: number;
  readonly functions: Record<'plan' | 'startFile' | 'countFile' | 'finish' | 'deliverWebhook', AitagsFunction>;
  /** The StateMachineArn dimension of the child executions' metrics (AWS/States): `<state machine ARN>/TagEachFile`. */
  readonly jobFilesMetricsArn: string;

  constructor(scope: Construct, id: string, props: TaggingJobsProps) {
    super(scope, id);
    const { storage, taggingWorkflow } = props;
    this.maxJobConcurrency = props.maxJobConcurrency;
    this.maxConcurrency = jobMaxConcurrency(fastestJobRate(props.quotas), { maxJobConcurrency: this.maxJobConcurrency, lambdasPerFile: 1 });

    const step = (constructId: string, entry: string, description: string, timeout: Duration, memorySize = 256) =>
      new AitagsFunction(this, constructId, { entry, description, memorySize, timeout });
    // Planning walks the selection (up to a million records) within one invocation.
    const plan = step(
      'PlanTaggingJob',
      'plan-tagging-job',
      'aitags tagging jobs: selects the files and writes the manifest',
      Duration.minutes(15),
      1769,
    );
    storage.bindTable(plan, ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']);
    storage.bindBucket(plan, { 's3:PutObject': ['jobs/manifests'] });
    plan.addEnvironment('AITAGS_REKOGNITION_TPS', String(props.quotas.rekognitionTps));
    plan.addEnvironment('AITAGS_VISION_RPM', String(props.quotas.visionRpm));
    // The planner sets each job's MaxConcurrencyPath within it: the account's Lambda concurrency is shared with the API.
    plan.addEnvironment('AITAGS_MAX_JOB_CONCURRENCY', String(props.maxJobConcurrency));
    const startFile = step('StartJobFile', 'start-job-file', 'aitags tagging jobs: starts the run on one file, or skips it', Duration.seconds(20));
    // PutItem: removeAITags rewrites the record (version-conditional); UpdateItem starts the run and settles index entries.
    storage.bindTable(startFile, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // Each file takes its turn at the providers' background pacers, at 80 % of these quotas.
    startFile.addEnvironment('AITAGS_REKOGNITION_TPS', String(props.quotas.rekognitionTps));
    startFile.addEnvironment('AITAGS_VISION_RPM', String(props.quotas.visionRpm));
    // The planner's estimate counts the deployed prices, as the API's does.
    plan.addEnvironment('AITAGS_PROVIDER_PRICES', props.providerPrices);
    // A job over what its budgets have left fails before tagging anything; one that reaches a cap skips the rest.
    if (props.monthlyBudgetUsd !== '{}') {
      plan.addEnvironment('AITAGS_MONTHLY_BUDGET_USD', props.monthlyBudgetUsd);
      startFile.addEnvironment('AITAGS_MONTHLY_BUDGET_USD', props.monthlyBudgetUsd);
      startFile.addEnvironment('AITAGS_PROVIDER_PRICES', props.providerPrices);
    }
    const countFile = step('CountJobFile', 'count-job-file', "aitags tagging jobs: counts one file's outcome once", Duration.seconds(10));
    // UpdateItem counts the file once and rolls its progress item up into a summary; GetItem reads both for the roll-up.
    storage.bindTable(countFile, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    const finish = step('FinishTaggingJob', 'finish-tagging-job', 'aitags tagging jobs: ends the job with its counts', Duration.seconds(30));
    storage.bindTable(finish, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    const deliverWebhook = step(
      'DeliverJobWebhook',
      'deliver-job-webhook',
      "aitags tagging jobs: one attempt at the job's webhook",
      Duration.seconds(20),
    );
    storage.bindTable(deliverWebhook, ['dynamodb:GetItem', 'dynamodb:BatchGetItem']);
    deliverWebhook.addEnvironment('AITAGS_WEBHOOK_SECRET_ARN', taggingWorkflow.webhookSecret.secretArn);
    deliverWebhook.addEnvironment('AITAGS_ALLOW_PRIVATE_WEBHOOKS', 'false');
    taggingWorkflow.webhookSecret.grantRead(deliverWebhook);
    this.functions = { plan, startFile, countFile, finish, deliverWebhook };

    const invoke = (constructId: string, stateName: string, fn: AitagsFunction) =>
      new LambdaInvoke(this, constructId, { stateName, lambdaFunction: fn, outputPath: '$.Payload' }).addRetry({
        errors: [Errors.ALL],
        interval: Duration.seconds(2),
        maxAttempts: 5,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      });

    const done = new Succeed(this, 'JobDone', { stateName: JOB_STATES.done });
    const deliver = new LambdaInvoke(this, 'DeliverJobWebhookTask', {
      stateName: JOB_STATES.deliverWebhook,
      lambdaFunction: deliverWebhook,
      outputPath: '$.Payload',
    })
      .addRetry({
        errors: ['JobWebhookNotDelivered'],
        interval: Duration.seconds(JOB_WEBHOOK_RETRY.intervalSeconds),
        backoffRate: JOB_WEBHOOK_RETRY.backoffRate,
        maxDelay: Duration.seconds(JOB_WEBHOOK_RETRY.maxDelaySeconds),
        maxAttempts: JOB_WEBHOOK_RETRY.maxAttempts,
      })
      .addRetry({ errors: [Errors.ALL], interval: Duration.seconds(5), maxAttempts: 5, backoffRate: 2, jitterStrategy: JitterType.FULL })
      .addCatch(this.webhookGivenUp(invoke('RecordJobWebhookGivenUpTask', JOB_STATES.recordWebhookGivenUp, deliverWebhook)), {
        errors: [Errors.ALL],
        resultPath: '$.webhookError',
      });
    deliver.next(done);

    const finishJob = invoke('FinishTaggingJobTask', JOB_STATES.finish, finish).next(
      new Choice(this, 'JobWebhookOwed', { stateName: JOB_STATES.webhookOwed })
        .when(Condition.booleanEquals('$.webhook', true), deliver)
        .otherwise(done),
    );

    // One file's steps, inside its Express child (5 minutes at most): short attempts, few retries, CDK's own
    // retrier off (its Lambda service errors are in ours).
    const fileStep = (constructId: string, stateName: string, fn: AitagsFunction) =>
      new LambdaInvoke(this, constructId, {
        stateName,
        lambdaFunction: fn,
        outputPath: '$.Payload',
        taskTimeout: Timeout.duration(Duration.seconds(JOB_FILE_STEP_RETRY.timeoutSeconds)),
        retryOnServiceExceptions: false,
      }).addRetry({
        errors: [Errors.ALL],
        interval: Duration.seconds(JOB_FILE_STEP_RETRY.intervalSeconds),
        maxAttempts: JOB_FILE_STEP_RETRY.maxAttempts,
        backoffRate: JOB_FILE_STEP_RETRY.backoffRate,
        jitterStrategy: JitterType.FULL,
      });

    // One file: start (or skip), wait for its turn, tag each extension as an upload's run does, count.
    const count = fileStep('CountJobFileTask', JOB_STATES.countFile, countFile);
    const tagExtensions = eachExtensionTagged(this, taggingWorkflow.taggers, taggingWorkflow.recordFailure, JOB_FILE_RETRIES);
    const perFile = fileStep('StartJobFileTask', JOB_STATES.startFile, startFile).next(
      new Choice(this, 'FileSkipped', { stateName: JOB_STATES.fileSkipped })
        .when(Condition.isPresent('$.skip'), count)
        // A reapplyPolicy job's file is done once Start has re-decided its stored tags: no provider, no wait.
        .when(Condition.isPresent('$.reapplied'), count)
        .otherwise(
          new Wait(this, 'WaitForTurn', { stateName: JOB_STATES.waitForTurn, time: WaitTime.timestampPath('$.notBefore') })
            .next(tagExtensions)
            .next(count),
        ),
    );

    const tagEachFile = new DistributedMap(this, 'TagEachFile', {
      stateName: JOB_STATES.tagEachFile,
      label: JOB_FILES_LABEL,
      itemReader: new S3JsonItemReader({ bucketNamePath: JsonPath.stringAt('$.manifest.bucket'), key: JsonPath.stringAt('$.manifest.key') }),
      itemSelector: {
        jobId: JsonPath.stringAt('$.jobId'),
        fileId: JsonPath.stringAt('$$.Map.Item.Value.fileId'),
        index: JsonPath.numberAt('$$.Map.Item.Index'),
        extensions: JsonPath.objectAt('$.extensions'),
        removeAITags: JsonPath.objectAt('$.removeAITags'),
        reapplyPolicy: JsonPath.objectAt('$.reapplyPolicy'),
        startedAtMs: JsonPath.numberAt('$.startedAtMs'),
        rate: JsonPath.numberAt('$.rate'),
      },
      // Per job, from its rate and its Lambda functions per file (the planner's jobMaxConcurrency, within
      // maxJobConcurrency); the rate itself comes from the quotas set at deploy.
      maxConcurrencyPath: JsonPath.stringAt('$.maxConcurrency'),
      toleratedFailurePercentage: TOLERATED_FAILURE_PERCENTAGE,
      // Express children: a file takes seconds (its wait included), and an Express child costs per request
      // and duration instead of per state transition (docs/architecture.md, "Tagging jobs").
      mapExecutionType: StateMachineType.EXPRESS,
      resultWriterV2: new ScopedResultWriter(
        { bucketNamePath: JsonPath.stringAt('$.manifest.bucket'), prefix: JOB_RESULTS_PREFIX },
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
          resources: [storage.bucket.arnForObjects(`${JOB_RESULTS_PREFIX}/*`)],
        }),
      ),
      resultPath: '$.mapResult',
    });
    tagEachFile.itemProcessor(perFile);
    tagEachFile.addCatch(finishJob, { errors: [Errors.ALL], resultPath: '$.error' });
    tagEachFile.next(finishJob);

    const planJob = invoke('PlanTaggingJobTask', JOB_STATES.plan, plan);
    planJob.addCatch(finishJob, { errors: [Errors.ALL], resultPath: '$.error' });
    planJob.next(
      new Choice(this, 'AnythingToTag', { stateName: JOB_STATES.anythingToTag })
        .when(Condition.booleanEquals('$.tag', true), tagEachFile)
        .otherwise(finishJob),
    );

    const start = new Choice(this, 'JobEndedAlready', { stateName: JOB_STATES.endedAlready })
      .when(Condition.and(Condition.isPresent('$.ended'), Condition.booleanEquals('$.ended', true)), deliver)
      .otherwise(planJob);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'aitags tagging jobs: plan the selection, tag each file of the manifest at the quota-bound rate, end the job, send its webhook',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(start),
      // A million files at 4 a second (Rekognition's default 5 TPS, 80 %) take 70 hours; a week leaves room.
      timeout: Duration.days(7),
      logs: {
        destination: stateMachineLogGroup(this, 'StateMachineLogs', 'TaggingJobs'),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
      tracingEnabled: true,
    });
    this.jobFilesMetricsArn = `${this.stateMachine.stateMachineArn}/${JOB_FILES_LABEL}`;
    // The Distributed Map reads the manifest and (ScopedResultWriter) writes its results under jobs/ only.
    const bucket = storage.bucket;
    this.stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('jobs/manifests/*')] }));
    const stack = Stack.of(this);
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Log delivery and X-Ray support no resource-level permissions.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::${arnInFinding(bucket)}/jobs/manifests/*]`,
        reason: "The Distributed Map's ItemReader reads the manifest of the job it runs; manifests are named by jobId at run time.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${arnInFinding(bucket)}/${JOB_RESULTS_PREFIX}/*]`,
        reason: "The Distributed Map's ResultWriter writes under a Map Run id known only at run time.",
      },
      ...[plan, startFile, countFile, finish, deliverWebhook, ...Object.values(taggingWorkflow.taggers), taggingWorkflow.recordFailure].map((fn) => ({
        id: `AwsSolutions-IAM5[Resource::${arnInFinding(fn)}:*]`,
        reason: "CDK's LambdaInvoke grant: the function and its versions; the task invokes the unqualified ARN.",
      })),
      // The Map Run's children are named <execution>/<label>:<child>; the label narrows the redrive grant to this Map's.
      ...[':*', `/${JOB_FILES_LABEL}:*`].map((suffix) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine)}"}]}]}${suffix}]`,
        reason: "CDK's Distributed Map grant: the Map Run starts, describes and stops its own child executions, named by Step Functions at run time.",
      })),
    );
  }

  /**
   * After the job webhook's last attempt failed: deliver-job-webhook, handed the error, counts it in
   * JobWebhookFinalFailures (the alarm's metric; a refused target is counted by its one attempt) and logs
   * it; the job itself has ended already. Should even that fail, the execution fails, which the
   * failed-executions alarm reports instead.
   */
  private webhookGivenUp(record: TaskStateBase): TaskStateBase {
    record.addCatch(
      new Fail(this, 'JobWebhookGiveUpNotCounted', {
        stateName: JOB_STATES.webhookGiveUpNotCounted,
        error: 'JobWebhookGivenUp',
        cause: 'The job webhook was given up, and counting it failed too',
      }),
      { errors: [Errors.ALL], resultPath: '$.recordError' },
    );
    record.next(new Succeed(this, 'JobWebhookGivenUp', { stateName: JOB_STATES.webhookGivenUp }));
    return record;
  }
}
