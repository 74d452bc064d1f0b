import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SEARCH_INDEX, TABLE_KEY } from '../functions/adapters/table-schema.js';
import { PREPARED_PREFIX } from '../functions/core/provider-image.js';
import { arnInFinding } from './nag-findings.js';

/**
 * The bucket's top-level prefixes: files under public/ and private/ (objectKeys in
 * functions/core/file-record.ts; only public/ is served by the CDN), the inbox under uploads/ (presigned
 * uploads) and ingest/ (files other tools drop in); jobs/ holds tagging jobs' manifests and Distributed Map results;
 * prepared/ the images the taggers transcoded for the providers (functions/core/provider-image.ts).
 */
export type Visibility = 'public' | 'private' | 'uploads' | 'ingest' | 'jobs/manifests' | 'prepared';
export type ObjectAction = 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject';
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  /** Granted on the search index only: nothing queries the table's own key. */
  | 'dynamodb:Query';

/** Which object actions a function may take, and under which prefixes. */
export type ObjectAccess = Partial<Record<ObjectAction, readonly Visibility[]>>;

export interface StorageProps {
  /** What happens to the files and their records when the stack is deleted. @default RemovalPolicy.RETAIN */
  removalPolicy?: RemovalPolicy;
}

/** The files (S3, public/ and private/ prefixes) and their records (DynamoDB). */
export class Storage extends Construct {
  readonly bucket: Bucket;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy,
      // A presigned upload that was refused or abandoned is not kept.
      // Tagging jobs' manifests and results are kept a month, for looking into a job after it ended.
      // A prepared image serves the retries and re-runs of a day; a deleted or overwritten file's goes with it.
      lifecycleRules: [
        { prefix: 'uploads/', expiration: Duration.days(1) },
        { prefix: 'jobs/', expiration: Duration.days(30) },
        { prefix: PREPARED_PREFIX, expiration: Duration.days(1) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Server access logs need a second bucket. API calls are logged by API Gateway and the Lambdas; reads through CloudFront or presigned URLs and presigned PUTs are not logged here: CloudTrail S3 data events (an account-wide choice) audit those.',
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Upload intents and S3-event claims expire on their own.
      timeToLiveAttribute: 'ttl',
      removalPolicy,
    });
    // The only GSI, and it must stay one: CloudFormation cannot add more than one GSI to an existing table in
    // one update, so a second index would be its own deploy.
    this.table.addGlobalSecondaryIndex({
      indexName: SEARCH_INDEX.name,
      partitionKey: { name: SEARCH_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: SEARCH_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...SEARCH_INDEX.projected],
    });
  }

  /** The search index's ARN, exactly: what Query is granted on. */
  get searchIndexArn(): string {
    return `${this.table.tableArn}/index/${SEARCH_INDEX.name}`;
  }

  /** Tells the function the bucket's name (AITAGS_BUCKET) and lets it take exactly these object actions. */
  bindBucket(fn: LambdaFunction, access: ObjectAccess): void {
    fn.addEnvironment('AITAGS_BUCKET', this.bucket.bucketName);
    for (const [action, prefixes] of Object.entries(access)) {
      if (!prefixes?.length) continue;
      Grant.addToPrincipal({
        grantee: fn,
        actions: [action],
        resourceArns: prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}/*`)),
      });
      for (const prefix of prefixes) {
        Validations.of(fn).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${arnInFinding(this.bucket)}/${prefix}/*]`,
          reason: `Object actions under ${prefix}/ only, never the whole bucket: keys there are per file and known only at run time.`,
        });
      }
    }
  }

  /**
   * Tells the function the table's name (AITAGS_TABLE) and lets it take exactly these actions: item actions
   * on the table, Query on the search index. Not `table.grants`: with an index it adds `<table>/index/*` to
   * every grant, item actions included.
   */
  bindTable(fn: LambdaFunction, actions: readonly TableAction[]): void {
    fn.addEnvironment('AITAGS_TABLE', this.table.tableName);
    const itemActions = actions.filter((action) => action !== 'dynamodb:Query');
    if (itemActions.length) Grant.addToPrincipal({ grantee: fn, actions: itemActions, resourceArns: [this.table.tableArn] });
    if (actions.includes('dynamodb:Query')) Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:Query'], resourceArns: [this.searchIndexArn] });
  }
}
