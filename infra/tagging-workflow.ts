import { Duration, SecretValue } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  StateMachineType,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { AitagsFunction } from './lambda-function.js';
import type { Storage } from './storage.js';

/** State names: the local runtime keys its task handlers and time-lapse overrides by them. */
export const TAGGING_STATES = {
  tagEachExtension: 'Tag each extension',
  pickTagger: 'Pick the tagger',
  tagWithRekognition: 'Tag with Rekognition',
  tagWithVision: 'Tag with Vision',
  recordFailure: 'Record extension failure',
  unknownExtension: 'Unknown extension',
  deliverWebhooks: 'Deliver webhooks',
} as const;

/** Provider faults (throttling, 5xx, timeouts) are thrown under this name by the taggers. */
export const TRANSIENT_PROVIDER_ERROR = 'ProviderTransientError';

export interface TaggingWorkflowProps {
  storage: Storage;
}

/**
 * The tagging state machine: one execution per upload or PATCH with extensions. A Map fans out one
 * tagger Lambda per extension; each retries provider faults with backoff and, once retries are spent,
 * is caught and recorded `failed`, so one provider failing never fails the others.
 */
export class TaggingWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly taggers: { rekognition: AitagsFunction; vision: AitagsFunction; recordFailure: AitagsFunction };
  /** A Google Cloud Vision API key or service-account JSON key; `{}` (no credentials) until an operator sets it. */
  readonly visionCredentials: Secret;

  constructor(scope: Construct, id: string, props: TaggingWorkflowProps) {
    super(scope, id);
    const { storage } = props;

    this.visionCredentials = new Secret(this, 'VisionCredentials', {
      description: 'aitags google-auto-tagging: a Google Cloud Vision API key, or a service-account JSON key',
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });

    const tagger = (entry: string, description: string) => {
      const fn = new AitagsFunction(this, entry === 'tag-with-rekognition' ? 'TagWithRekognition' : 'TagWithVision', {
        entry,
        description,
        memorySize: 1024,
        timeout: Duration.seconds(60),
        nativeModules: ['sharp'],
      });
      storage.bindBucket(fn, { 's3:GetObject': ['public', 'private'] });
      storage.bindTable(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      return fn;
    };
    const rekognition = tagger('tag-with-rekognition', 'aitags aws-auto-tagging: Rekognition DetectLabels');
    rekognition.addEnvironment('AITAGS_REKOGNITION_READS_S3', 'true');
    // DetectLabels has no resource-level permissions; reading the S3 object uses this role's s3:GetObject.
    rekognition.addToRolePolicy(new PolicyStatement({ actions: ['rekognition:DetectLabels'], resources: ['*'] }));
    const vision = tagger('tag-with-vision', 'aitags google-auto-tagging: Vision label detection');
    vision.addEnvironment('AITAGS_VISION_CREDENTIALS_SECRET_ARN', this.visionCredentials.secretArn);
    this.visionCredentials.grantRead(vision);

    const recordFailure = new AitagsFunction(this, 'RecordExtensionFailure', {
      entry: 'record-extension-failure',
      description: 'aitags: records an extension as failed once its retries are spent',
      memorySize: 256,
      timeout: Duration.seconds(10),
    });
    storage.bindTable(recordFailure, ['dynamodb:UpdateItem']);
    storage.bindBucket(recordFailure, {}); // its configuration names the bucket; it touches no object
    this.taggers = { rekognition, vision, recordFailure };

    const recordFailureState = new LambdaInvoke(this, 'RecordFailureTask', {
      stateName: TAGGING_STATES.recordFailure,
      lambdaFunction: recordFailure,
      outputPath: '$.Payload',
    }).addRetry({ errors: [Errors.ALL], interval: Duration.seconds(2), maxAttempts: 5, backoffRate: 2, jitterStrategy: JitterType.FULL });

    const tagWith = (stateName: string, fn: AitagsFunction) =>
      new LambdaInvoke(this, stateName.replace(/\s+/g, ''), {
        stateName,
        lambdaFunction: fn,
        outputPath: '$.Payload',
        // Inside the Lambda's own 60 s, so a stuck invocation surfaces as States.Timeout and is retried.
        taskTimeout: Timeout.duration(Duration.seconds(55)),
      })
        .addRetry({
          errors: [TRANSIENT_PROVIDER_ERROR, Errors.TIMEOUT, 'Lambda.TooManyRequestsException'],
          interval: Duration.seconds(2),
          maxAttempts: 4,
          backoffRate: 2,
          maxDelay: Duration.seconds(30),
          jitterStrategy: JitterType.FULL,
        })
        .addCatch(recordFailureState, { errors: [Errors.ALL], resultPath: '$.error' });

    const pickTagger = new Choice(this, 'PickTagger', { stateName: TAGGING_STATES.pickTagger })
      .when(Condition.stringEquals('$.extension.name', 'aws-auto-tagging'), tagWith(TAGGING_STATES.tagWithRekognition, rekognition))
      .when(Condition.stringEquals('$.extension.name', 'google-auto-tagging'), tagWith(TAGGING_STATES.tagWithVision, vision))
      .otherwise(new Fail(this, 'UnknownExtension', { stateName: TAGGING_STATES.unknownExtension, error: 'UnknownExtension' }));

    const tagEachExtension = new MapState(this, 'TagEachExtension', {
      stateName: TAGGING_STATES.tagEachExtension,
      itemsPath: '$.extensions',
      itemSelector: {
        fileId: JsonPath.stringAt('$.fileId'),
        runId: JsonPath.stringAt('$.runId'),
        extension: JsonPath.objectAt('$$.Map.Item.Value'),
      },
      resultPath: '$.outcomes',
    }).itemProcessor(pickTagger);

    // The webhook issue fills this step in: deliver the final status of extensions reported pending.
    const deliverWebhooks = new Pass(this, 'DeliverWebhooks', { stateName: TAGGING_STATES.deliverWebhooks });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'aitags: tag one file with the requested extensions, then report pending ones by webhook',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(tagEachExtension.next(deliverWebhooks)),
      timeout: Duration.hours(48),
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', { retention: RetentionDays.ONE_MONTH }),
        level: LogLevel.ERROR,
      },
    });
  }
}
