import { readFileSync } from 'node:fs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { FALLBACK_ENTRY, ROUTE_HANDLERS } from '../../infra/api-routes.js';
import { HANDLER_ENTRY_METADATA } from '../../infra/lambda-function.js';
import { asList, type CfnResource, StackTemplate } from './stack-template.js';

const HANDLER_ENTRIES = [...new Set([...ROUTE_HANDLERS.map((route) => route.entry), FALLBACK_ENTRY])];
/** The handlers that start the tagging workflow: upload, and PATCH details with extensions. */
const STARTS_TAGGING = ['upload', 'update-details'];

let synthesized: StackTemplate;
let resources: Record<string, CfnResource>;

beforeAll(() => {
  synthesized = new StackTemplate();
  resources = synthesized.resources;
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) => synthesized.logicalId(construct);
const render = (value: unknown) => synthesized.render(value);
const permissionsOf = (entry: string) => synthesized.permissionsOf(entry);
const functionProperties = (entry: string) => synthesized.functionProperties(entry);
const bucketPolicyStatements = () => synthesized.bucketPolicyStatements();

function handler(entry: string) {
  const fn = synthesized.stack.api.handlers.get(entry);
  if (!fn) throw new Error(`no handler for ${entry}`);
  return fn;
}

describe('storage', () => {
  it('encrypts the bucket with S3-managed keys and blocks every kind of public access', () => {
    synthesized.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('denies every bucket request made without TLS', () => {
    expect(bucketPolicyStatements()).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Resource: [
        { 'Fn::GetAtt': [logicalId(synthesized.stack.storage.bucket), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(synthesized.stack.storage.bucket), 'Arn'] }, '/*']] },
      ],
    });
  });

  it('keys the table by pk alone, bills per request and keeps point-in-time recovery', () => {
    synthesized.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  // Literal names on purpose: the table is retained, and renaming or adding an index of a deployed table is
  // a GSI change CloudFormation takes one at a time (a rename is two).
  it('has exactly one global secondary index, search: ipk and isk, projecting fileId besides the keys', () => {
    const tables = Object.values(resources).filter((resource) => resource.Type === 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    expect(tables[0]?.Properties?.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'search',
        KeySchema: [
          { AttributeName: 'ipk', KeyType: 'HASH' },
          { AttributeName: 'isk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['fileId'] },
      },
    ]);
    expect(tables[0]?.Properties?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'ipk', AttributeType: 'S' },
        { AttributeName: 'isk', AttributeType: 'S' },
      ]),
    );
    expect(tables[0]?.Properties?.AttributeDefinitions).toHaveLength(3);
  });

  it('keeps the bucket and the table when the stack is deleted', () => {
    expect(resources[logicalId(synthesized.stack.storage.bucket)]?.DeletionPolicy).toBe('Retain');
    expect(resources[logicalId(synthesized.stack.storage.table)]?.DeletionPolicy).toBe('Retain');
  });
});

describe('delivery', () => {
  it('lets CloudFront read objects under public/ only, and only for this distribution', () => {
    const cloudFront = bucketPolicyStatements().filter(
      (statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'cloudfront.amazonaws.com' }),
    );
    expect(cloudFront.map((statement) => ({ ...statement, Resource: asList(statement.Resource).map(render) }))).toEqual([
      {
        Sid: 'CloudFrontReadsPublicFiles',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: ['bucket/public/*'],
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: logicalId(synthesized.stack.delivery.distribution) },
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('serves the public/ prefix through origin access control, HTTPS only, with the caching-optimized policy', () => {
    synthesized.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::GetAtt': [logicalId(synthesized.stack.storage.bucket), 'RegionalDomainName'] },
            OriginPath: '/public',
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          CachePolicyId: Match.anyValue(),
        }),
      }),
    });
    // Files replaced in place (overwrite, delete, made private) must not be served stale for long.
    synthesized.template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ DefaultTTL: 300, MinTTL: 0, MaxTTL: 86400 }),
    });
    synthesized.template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
  });

  it('serves every public file with nosniff and a policy under which active content (an SVG) runs and loads nothing', () => {
    const policies = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(
      policies.map(
        ([, policy]) => (policy.Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig?: unknown } | undefined)?.SecurityHeadersConfig,
      ),
    ).toEqual([
      {
        ContentTypeOptions: { Override: true },
        ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; sandbox", Override: true },
      },
    ]);
    synthesized.template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ResponseHeadersPolicyId: { Ref: policies[0]?.[0] } }),
      }),
    });
  });

  /** The names CloudFront keeps per account, whatever the Region: origin access control and response headers policy. */
  function cloudFrontNames(template: StackTemplate): { originAccessControl: unknown; responseHeadersPolicy: unknown } {
    const only = (type: string) => {
      const found = Object.values(template.resources).filter((resource) => resource.Type === type);
      expect(found).toHaveLength(1);
      return found[0]?.Properties ?? {};
    };
    return {
      originAccessControl: (only('AWS::CloudFront::OriginAccessControl').OriginAccessControlConfig as { Name: unknown }).Name,
      responseHeadersPolicy: (only('AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig as { Name: unknown }).Name,
    };
  }

  it("names the origin access control and the response headers policy after the stack and the Region, so that a second Region's deployment does not collide", () => {
    const region = { Ref: 'AWS::Region' };
    expect(cloudFrontNames(synthesized)).toEqual({
      originAccessControl: { 'Fn::Join': ['', [expect.stringMatching(/^Aitags-Delivery-[0-9A-F]{8}-PublicFiles-$/), region]] },
      responseHeadersPolicy: { 'Fn::Join': ['', [expect.stringMatching(/^Aitags-Delivery-[0-9A-F]{8}-PublicFileHeaders-$/), region]] },
    });
    const inRegion = (name: string) => cloudFrontNames(new StackTemplate({ env: { account: '123456789012', region: name } }));
    const [virginia, ireland] = [inRegion('us-east-1'), inRegion('eu-west-1')];
    expect(virginia.originAccessControl).toMatch(/^Aitags-Delivery-[0-9A-F]{8}-PublicFiles-us-east-1$/);
    expect(ireland.originAccessControl).toMatch(/-eu-west-1$/);
    expect(ireland.responseHeadersPolicy).not.toEqual(virginia.responseHeadersPolicy);
  });

  it('keeps those names within CloudFront’s limits (64 and 128 characters) for the longest stack name and a 14-character Region', () => {
    const longest = new StackTemplate({ stackName: `A${'b'.repeat(127)}`, env: { account: '123456789012', region: 'ap-southeast-4' } });
    const { originAccessControl, responseHeadersPolicy } = cloudFrontNames(longest);
    expect(originAccessControl).toMatch(/^Abbb.*-PublicFiles-ap-southeast-4$/);
    // 20 characters are kept for the Region: 6 to spare with a 14-character one.
    expect(String(originAccessControl).length).toBeLessThanOrEqual(64 - 6);
    expect(responseHeadersPolicy).toMatch(/^Abbb.*-PublicFileHeaders-ap-southeast-4$/);
    expect(String(responseHeadersPolicy).length).toBeLessThanOrEqual(128 - 6);
    for (const name of [originAccessControl, responseHeadersPolicy]) expect(name).toMatch(/^[A-Za-z0-9-]+$/);
  });

  it('synthesizes without warnings, the imported-bucket OAC notice included', () => {
    Annotations.fromStack(synthesized.stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('handler functions', () => {
  it.each(HANDLER_ENTRIES)('%s runs Node.js 22 on arm64 from an ES module bundle', (entry) => {
    expect(functionProperties(entry)).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  it("runs every Lambda of ours on Node.js 22 and arm64; the only other is CDK's bucket-notifications handler", () => {
    const functions = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
    const isOurs = (fn: CfnResource) => typeof fn.Metadata?.[HANDLER_ENTRY_METADATA] === 'string';
    for (const [, fn] of functions.filter(([, fn]) => isOurs(fn))) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
    // Custom::S3BucketNotifications is served by CDK's own singleton (Python), which runs at deploy time only.
    const others = functions.filter(([, fn]) => !isOurs(fn)).map(([id]) => id);
    expect(others).toEqual([expect.stringMatching(/^BucketNotificationsHandler[0-9a-f]{32}/)]);
  });

  const HOUSE = { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'aitags' };
  const FILES = { AITAGS_BUCKET: 'bucket', AITAGS_TABLE: 'table', AITAGS_PRIVATE_KEY_SECRET_ARN: 'privateKey' };
  const FILE_URLS = { AITAGS_DELIVERY_BASE_URL: 'https://distribution.DomainName' };
  const TAGGING_RUNS = { AITAGS_STATE_MACHINE_ARN: 'runStateMachine', AITAGS_SYNC_WINDOW_MS: '3000' };
  const WEBHOOK_URL = { AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'false' };
  it.each([
    ['upload', { ...FILES, ...FILE_URLS, ...TAGGING_RUNS, ...WEBHOOK_URL, AITAGS_MAX_UPLOAD_BYTES: '4194304' }],
    ['upload-url', { ...FILES, ...WEBHOOK_URL, AITAGS_MAX_S3_UPLOAD_BYTES: '52428800' }],
    ['get-details', { ...FILES, ...FILE_URLS }],
    ['update-details', { ...FILES, ...FILE_URLS, ...TAGGING_RUNS, ...WEBHOOK_URL }],
    ['delete-file', FILES],
    // No AITAGS_SEARCH_SCAN_LIMIT: the default budget applies.
    ['list-files', { ...FILES, ...FILE_URLS }],
    // Records only: no bucket.
    ['bulk-tags', { AITAGS_TABLE: 'table', AITAGS_PRIVATE_KEY_SECRET_ARN: 'privateKey' }],
    ['delete-files', FILES],
    ['serve-page', { AITAGS_PAGE_DIR: 'page', AITAGS_PAGE_IMAGE_ORIGINS: 'https://distribution.DomainName https://bucket.RegionalDomainName' }],
    ['route-not-found', {}],
    ['tag-policy', { AITAGS_TABLE: 'table', AITAGS_PRIVATE_KEY_SECRET_ARN: 'privateKey' }],
    [
      'get-status',
      {
        AITAGS_TABLE: 'table',
        AITAGS_PRIVATE_KEY_SECRET_ARN: 'privateKey',
        AITAGS_VISION_CREDENTIALS_SECRET_ARN: 'visionCredentials',
        AITAGS_VERSION: packageJson.version,
      },
    ],
  ])('%s gets the house variables and only the AITAGS_ settings of what it is built with', (entry, settings) => {
    expect(synthesized.environmentOf(entry)).toEqual({ ...HOUSE, ...settings });
  });

  it('lets no Lambda of the stack send webhooks to loopback, private or metadata addresses', () => {
    const allowances = Object.values(resources).flatMap((resource) => {
      const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
      if (resource.Type !== 'AWS::Lambda::Function' || !variables || !('AITAGS_ALLOW_PRIVATE_WEBHOOKS' in variables)) return [];
      return [[String(entry), variables.AITAGS_ALLOW_PRIVATE_WEBHOOKS] as const];
    });
    // The routes that take a webhookUrl check it at request time, deliver-webhook again at delivery time.
    expect(Object.fromEntries(allowances)).toEqual(
      Object.fromEntries(
        ['upload', 'upload-url', 'update-details', 'deliver-webhook', 'tagging-jobs', 'deliver-job-webhook'].map((entry) => [entry, 'false']),
      ),
    );
  });

  it.each(HANDLER_ENTRIES)('%s logs to its own log group kept for one month', (entry) => {
    const logGroup = (functionProperties(entry).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[logGroup]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });

  it('gives upload 1024 MB and 30 s to read images, make thumbnails and wait for tagging', () => {
    expect(functionProperties('upload')).toMatchObject({ MemorySize: 1024, Timeout: 30 });
  });

  it('gives update-details 30 s to wait for tagging', () => {
    expect(functionProperties('update-details')).toMatchObject({ Timeout: 30 });
  });
});

describe('routes', () => {
  function integrationOf(routeKey: string): Record<string, unknown> {
    const route = Object.values(resources).find(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties?.RouteKey === routeKey,
    );
    expect(route, `route ${routeKey}`).toBeDefined();
    const target = render(route?.Properties?.Target);
    const integration = resources[target.replace(/^integrations\/Ref\((.+)\)$/, '$1')]?.Properties;
    if (!integration) throw new Error(`${routeKey} targets ${target}, not an integration`);
    return integration;
  }

  it.each(ROUTE_HANDLERS.map((route) => [`${route.method} ${route.path}`, route.entry]))(
    '%s invokes functions/%s.ts with payload format 2.0',
    (routeKey, entry) => {
      expect(integrationOf(routeKey)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(handler(entry)), 'Arn'] },
      });
    },
  );

  it('sends every other request ($default) to route-not-found', () => {
    expect(integrationOf('$default')).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(handler(FALLBACK_ENTRY)), 'Arn'] },
    });
  });

  it('serves list, the three bulk tag operations and bulk delete', () => {
    const routeKeys = Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => String(resource.Properties?.RouteKey));
    expect(routeKeys).toEqual(
      expect.arrayContaining([
        'GET /v1/files',
        'POST /v1/files/addTags',
        'POST /v1/files/removeTags',
        'POST /v1/files/removeAITags',
        'POST /v1/files/batch/deleteByFileIds',
      ]),
    );
  });

  it('serves the media library page and its assets from one function that can touch no data', () => {
    for (const routeKey of ['GET /', 'GET /assets/{file}']) {
      const route = Object.values(resources).find(
        (resource) => resource.Type === 'AWS::ApiGatewayV2::Route' && resource.Properties?.RouteKey === routeKey,
      );
      expect(route, routeKey).toBeDefined();
    }
    expect(permissionsOf('serve-page')).toEqual([]);
  });

  it('serves the three bulk tag routes with one function', () => {
    for (const routeKey of ['POST /v1/files/addTags', 'POST /v1/files/removeTags', 'POST /v1/files/removeAITags']) {
      expect(integrationOf(routeKey).IntegrationUri).toEqual({ 'Fn::GetAtt': [logicalId(handler('bulk-tags')), 'Arn'] });
    }
  });

  it('gives each handler its own function', () => {
    const functionIds = HANDLER_ENTRIES.map((entry) => logicalId(handler(entry)));
    expect(new Set(functionIds).size).toBe(HANDLER_ENTRIES.length);
  });
});

describe('permissions', () => {
  const secretRead = ['secretsmanager:DescribeSecret privateKey', 'secretsmanager:GetSecretValue privateKey'];

  it('lets upload write and remove objects under public/ and private/, sign private-file URLs, write records and read the key', () => {
    expect(permissionsOf('upload')).toEqual(
      [
        's3:GetObject bucket/private/*',
        's3:PutObject bucket/public/*',
        's3:PutObject bucket/private/*',
        's3:DeleteObject bucket/public/*',
        's3:DeleteObject bucket/private/*',
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:UpdateItem table',
        'dynamodb:DeleteItem table',
        'states:StartExecution runStateMachine',
        ...secretRead,
      ].sort(),
    );
  });

  it('lets get-details read records and sign private-file URLs, and nothing that writes', () => {
    const permissions = permissionsOf('get-details');
    expect(permissions).toEqual(['dynamodb:GetItem table', 's3:GetObject bucket/private/*', ...secretRead].sort());
    expect(permissions.filter((permission) => /Put|Update|Delete/.test(permission))).toEqual([]);
  });

  it('lets tag-policy read and write the policy items, and nothing else', () => {
    expect(permissionsOf('tag-policy')).toEqual(
      ['dynamodb:DeleteItem table', 'dynamodb:GetItem table', 'dynamodb:PutItem table', ...secretRead].sort(),
    );
  });

  it('lets get-status read the last failures and whether the Vision secret holds a key, and nothing that writes', () => {
    expect(permissionsOf('get-status')).toEqual(
      [
        'dynamodb:GetItem table',
        'secretsmanager:DescribeSecret visionCredentials',
        'secretsmanager:GetSecretValue visionCredentials',
        ...secretRead,
      ].sort(),
    );
  });

  it('lets update-details read and write records, sign private-file URLs and start tagging, but not touch objects otherwise', () => {
    expect(permissionsOf('update-details')).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:UpdateItem table',
        's3:GetObject bucket/private/*',
        'states:StartExecution runStateMachine',
        ...secretRead,
      ].sort(),
    );
  });

  it('lets delete-file remove objects under public/ and private/ and records, settle tag entries, and read nothing from the bucket', () => {
    const permissions = permissionsOf('delete-file');
    expect(permissions).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:DeleteItem table',
        'dynamodb:UpdateItem table',
        's3:DeleteObject bucket/public/*',
        's3:DeleteObject bucket/private/*',
        ...secretRead,
      ].sort(),
    );
    expect(permissions.filter((permission) => permission.startsWith('s3:GetObject') || permission.startsWith('s3:PutObject'))).toEqual([]);
  });

  it('lets list-files query the search index, read records and sign private-file URLs, and nothing that writes', () => {
    const permissions = permissionsOf('list-files');
    expect(permissions).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:BatchGetItem table',
        'dynamodb:Query table/index/search',
        's3:GetObject bucket/private/*',
        ...secretRead,
      ].sort(),
    );
    expect(permissions.filter((permission) => /Put|Update|Delete/.test(permission))).toEqual([]);
  });

  it('lets bulk-tags read and rewrite records and their tag entries, and neither delete items nor touch objects', () => {
    const permissions = permissionsOf('bulk-tags');
    expect(permissions).toEqual(
      ['dynamodb:GetItem table', 'dynamodb:BatchGetItem table', 'dynamodb:PutItem table', 'dynamodb:UpdateItem table', ...secretRead].sort(),
    );
    expect(permissions.filter((permission) => permission.includes('Delete') || permission.startsWith('s3:'))).toEqual([]);
  });

  it('lets delete-files remove objects under public/ and private/ and records, settle tag entries, and read nothing from the bucket', () => {
    const permissions = permissionsOf('delete-files');
    expect(permissions).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:BatchGetItem table',
        'dynamodb:DeleteItem table',
        'dynamodb:UpdateItem table',
        's3:DeleteObject bucket/public/*',
        's3:DeleteObject bucket/private/*',
        ...secretRead,
      ].sort(),
    );
    expect(permissions.filter((permission) => permission.startsWith('s3:GetObject') || permission.startsWith('s3:PutObject'))).toEqual([]);
  });

  it('gives route-not-found no permissions at all', () => {
    expect(permissionsOf(FALLBACK_ENTRY)).toEqual([]);
  });

  const stepFunctionsPermissionsOf = (entry: string) => permissionsOf(entry).filter((permission) => permission.startsWith('states:'));

  it.each(STARTS_TAGGING)('%s may start executions of the Express run state machine, and nothing else of Step Functions', (entry) => {
    expect(stepFunctionsPermissionsOf(entry)).toEqual(['states:StartExecution runStateMachine']);
  });

  it('lets tagging-jobs start executions of the tagging-jobs state machine and stop them, and nothing else of Step Functions', () => {
    expect(stepFunctionsPermissionsOf('tagging-jobs')).toEqual([
      'states:StartExecution jobsStateMachine',
      'states:StopExecution arn:Ref(AWS::Partition):states:Ref(AWS::Region):Ref(AWS::AccountId):execution:jobsStateMachine.Name:*',
    ]);
  });

  it.each(HANDLER_ENTRIES.filter((entry) => ![...STARTS_TAGGING, 'tagging-jobs'].includes(entry)))('%s may not touch Step Functions', (entry) => {
    expect(stepFunctionsPermissionsOf(entry)).toEqual([]);
  });

  it('lets upload-url put objects under uploads/ (what its presigned URLs allow), add records and read the key, and nothing else', () => {
    expect(permissionsOf('upload-url')).toEqual(
      ['dynamodb:GetItem table', 'dynamodb:PutItem table', 's3:PutObject bucket/uploads/*', ...secretRead].sort(),
    );
  });

  it('lets no API handler but upload-url reach uploads/, and none reach ingest/', () => {
    const inbox = HANDLER_ENTRIES.flatMap((entry) =>
      permissionsOf(entry)
        .filter((permission) => /^s3:\S+ bucket\/(uploads|ingest)\//.test(permission))
        .map((permission) => `${entry}: ${permission}`),
    );
    expect(inbox).toEqual(['upload-url: s3:PutObject bucket/uploads/*']);
  });

  it.each(HANDLER_ENTRIES)('%s can neither scan the table, write in batches, nor act on every object of the bucket', (entry) => {
    for (const permission of permissionsOf(entry)) {
      expect(permission).not.toMatch(/dynamodb:(Scan|BatchWriteItem|PartiQL|\*)/);
      expect(permission).not.toMatch(/^s3:\S+ bucket(\/\*)?$/);
      expect(permission).not.toContain('*:*');
    }
  });

  it('grants Query to the searching functions alone, on the search index alone, and no function anything on every index', () => {
    const entries = Object.values(resources).flatMap((resource) => {
      const entry = resource.Metadata?.[HANDLER_ENTRY_METADATA];
      return resource.Type === 'AWS::Lambda::Function' && typeof entry === 'string' ? [entry] : [];
    });
    const indexPermissions = entries.flatMap((entry) =>
      permissionsOf(entry)
        .filter((permission) => permission.startsWith('dynamodb:Query') || permission.includes('/index/'))
        .map((permission) => `${entry}: ${permission}`),
    );
    expect(indexPermissions.sort()).toEqual(
      ['list-files', 'tagging-jobs', 'plan-tagging-job', 'reconcile-runs'].map((entry) => `${entry}: dynamodb:Query table/index/search`).sort(),
    );
  });

  it.each(HANDLER_ENTRIES.filter((entry) => !['list-files', 'bulk-tags', 'delete-files', 'tagging-jobs'].includes(entry)))(
    '%s reads one record at a time (no BatchGetItem)',
    (entry) => {
      expect(permissionsOf(entry).filter((permission) => permission.startsWith('dynamodb:BatchGetItem'))).toEqual([]);
    },
  );
});

describe('private key', () => {
  it('is a generated 40-character secret without punctuation', () => {
    synthesized.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 40 },
    });
    expect(resources[logicalId(synthesized.stack.api.privateKey)]?.Properties?.GenerateSecretString).not.toHaveProperty('SecretStringTemplate');
  });
});

describe('outputs', () => {
  it('names the API URL, media library page, delivery URL, key secret, bucket, ingest prefix, failed-objects queue, Vision credentials secret, webhook secret, state machine, table and alarm topic', () => {
    const { outputs } = synthesized;
    expect(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, render(output.Value)]))).toEqual({
      ApiUrl: `${logicalId(synthesized.stack.api.httpApi)}.ApiEndpoint`,
      MediaLibraryUrl: `${logicalId(synthesized.stack.api.httpApi)}.ApiEndpoint/`,
      DeliveryUrl: 'https://distribution.DomainName',
      PrivateKeySecretArn: 'privateKey',
      BucketName: 'bucket',
      IngestPrefix: 's3://bucket/ingest/',
      FailedObjectsQueueUrl: 'failedObjects',
      VisionCredentialsSecretArn: 'visionCredentials',
      WebhookSecretArn: 'webhookSecret',
      StateMachineArn: 'stateMachine',
      RunStateMachineArn: 'runStateMachine',
      TaggingJobsStateMachineArn: 'jobsStateMachine',
      TableName: 'table',
      AlarmTopicArn: 'alarmTopic',
    });
    expect(outputs.PrivateKeySecretArn?.Description).toContain('aws secretsmanager get-secret-value');
    expect(outputs.VisionCredentialsSecretArn?.Description).toContain('aws secretsmanager put-secret-value');
    // The secret is stored without its prefix: the description tells an operator how to form whsec_….
    expect(outputs.WebhookSecretArn?.Description).toContain('whsec_');
    expect(outputs.WebhookSecretArn?.Description).toContain('aws secretsmanager get-secret-value');
    expect(outputs.IngestPrefix?.Description).toContain('aws s3 cp');
    expect(outputs.AlarmTopicArn?.Description).toContain('-c alarmEmail=');
  });
});

describe('settings', () => {
  const stackWith = (props: { maxUploadBytes?: number; syncWindowMs?: number; maxS3UploadBytes?: number }) => new StackTemplate(props);

  it('passes a chosen upload cap, presigned-upload cap and sync window to the handlers that enforce them', () => {
    const custom = stackWith({ maxUploadBytes: 1_000_000, syncWindowMs: 0, maxS3UploadBytes: 200_000_000 });
    expect(custom.environmentOf('upload')).toMatchObject({ AITAGS_MAX_UPLOAD_BYTES: '1000000', AITAGS_SYNC_WINDOW_MS: '0' });
    expect(custom.environmentOf('update-details')).toMatchObject({ AITAGS_SYNC_WINDOW_MS: '0' });
    expect(custom.environmentOf('upload-url')).toMatchObject({ AITAGS_MAX_S3_UPLOAD_BYTES: '200000000' });
    expect(custom.environmentOf('on-object-created')).toMatchObject({ AITAGS_MAX_S3_UPLOAD_BYTES: '200000000' });
  });

  it('refuses an upload cap that cannot fit in a Lambda invocation', () => {
    expect(() => stackWith({ maxUploadBytes: 6 * 1024 * 1024 })).toThrow(/maxUploadBytes must be an integer from 1 to 4500000/);
  });

  it('refuses a sync window API Gateway would not wait for', () => {
    expect(() => stackWith({ syncWindowMs: 29_000 })).toThrow(/syncWindowMs must be an integer from 0 to 20000/);
  });
});

describe('throttling and access logs', () => {
  function defaultStage(template: StackTemplate): Record<string, unknown> {
    const stages = Object.values(template.resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    return stages[0]?.Properties ?? {};
  }

  it('throttles the API at 50 requests per second with bursts of 100 unless told otherwise', () => {
    expect(defaultStage(synthesized)).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  it('throttles at the chosen rate and burst (-c apiRateLimit=… -c apiBurstLimit=…)', () => {
    expect(defaultStage(new StackTemplate({ apiRateLimit: 5, apiBurstLimit: 12 })).DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 12,
    });
  });

  it("limits each route on its own at that rate (the stage's default route throttling, no route with settings of its own), as the README's deploy table says", () => {
    expect(defaultStage(synthesized)).not.toHaveProperty('RouteSettings');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith('| `apiRateLimit`, `apiBurstLimit` |'));
    expect(row).toMatch(/each route on its own/);
    expect(row).not.toMatch(/\(all routes together\)/);
  });

  it.each([
    [{ apiRateLimit: 0 }, 'apiRateLimit must be a whole number of requests, 1 or more; got 0'],
    [{ apiBurstLimit: 2.5 }, 'apiBurstLimit must be a whole number of requests, 1 or more; got 2.5'],
  ])('refuses %o when the stack is built, naming the context key', (props, message) => {
    expect(() => new StackTemplate(props)).toThrow(message);
  });

  it('logs every request as one JSON line, with its route, status and errors, to a log group kept for one month', () => {
    const { AccessLogSettings } = defaultStage(synthesized) as {
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    };
    expect(resources[AccessLogSettings.DestinationArn['Fn::GetAtt'][0]]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 30 },
    });
    expect(JSON.parse(AccessLogSettings.Format)).toEqual({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      ip: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      method: '$context.httpMethod',
      path: '$context.path',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationStatus: '$context.integrationStatus',
      integrationLatency: '$context.integrationLatency',
      error: '$context.error.message',
      integrationError: '$context.integrationErrorMessage',
    });
  });
});

describe('reserved concurrency', () => {
  const reservations = (template: StackTemplate) =>
    Object.fromEntries(
      Object.values(template.resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties?.ReservedConcurrentExecutions !== undefined)
        .map((resource) => [resource.Metadata?.[HANDLER_ENTRY_METADATA], resource.Properties?.ReservedConcurrentExecutions]),
    );

  it('tells only update-details and bulk-tags not to remember rejected AI tags when rememberRejections is false', () => {
    const forgetting = new StackTemplate({ rememberRejections: false });
    const told = HANDLER_ENTRIES.filter((entry) => forgetting.environmentOf(entry).AITAGS_REMEMBER_REJECTIONS === 'false');
    expect(told.sort()).toEqual(['bulk-tags', 'update-details']);
    expect(HANDLER_ENTRIES.filter((entry) => 'AITAGS_REMEMBER_REJECTIONS' in synthesized.environmentOf(entry))).toEqual([]);
  });

  it('reserves nothing unless told to, so that cdk deploy fits an account with a small concurrency quota', () => {
    expect(reservations(synthesized)).toEqual({});
  });

  it('reserves the chosen concurrency for each tagger, deliver-webhook and the S3 trigger, and for no API function', () => {
    const reserved = new StackTemplate({ taggerConcurrency: 5, webhookConcurrency: 2, triggerConcurrency: 3 });
    expect(reservations(reserved)).toEqual({
      'tag-with-rekognition': 5,
      'tag-with-vision': 5,
      'deliver-webhook': 2,
      'on-object-created': 3,
    });
  });

  it.each([
    [{ taggerConcurrency: 0 }, 'taggerConcurrency (cdk -c taggerConcurrency=…) must be a whole number of concurrent executions, 1 or more; got 0'],
    [
      { webhookConcurrency: 1.5 },
      'webhookConcurrency (cdk -c webhookConcurrency=…) must be a whole number of concurrent executions, 1 or more; got 1.5',
    ],
    [
      { triggerConcurrency: -1 },
      'triggerConcurrency (cdk -c triggerConcurrency=…) must be a whole number of concurrent executions, 1 or more; got -1',
    ],
  ])('refuses %o when the stack is built, naming the context key', (props, message) => {
    expect(() => new StackTemplate(props)).toThrow(message);
  });
});
