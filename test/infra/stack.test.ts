import { App, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AitagsStack } from '../../infra/aitags-stack.js';
import { API_ROUTES, FALLBACK_ENTRY } from '../../infra/api-routes.js';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
}
interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}
/** One action on one resource, the resource written as `bucket/public/*`, `table`, `privateKey`. */
type Permission = `${string} ${string}`;

const HANDLER_ENTRIES = [...new Set([...API_ROUTES.map((route) => route.entry), FALLBACK_ENTRY])];

let stack: AitagsStack;
let template: Template;
let resources: Record<string, CfnResource>;
/** Logical id → a short name for the resources permissions point at. */
let names: Record<string, string>;

beforeAll(() => {
  // Prepare: no bundling (esbuild and npm stay out of template tests); handler files must exist.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new AitagsStack(app, 'Aitags');
  template = Template.fromStack(stack);
  resources = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
  names = {
    [logicalId(stack.storage.bucket)]: 'bucket',
    [logicalId(stack.storage.table)]: 'table',
    [logicalId(stack.api.privateKey)]: 'privateKey',
    [logicalId(stack.delivery.distribution)]: 'distribution',
  };
});

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function handler(entry: string) {
  const fn = stack.api.handlers.get(entry);
  if (!fn) throw new Error(`no handler for ${entry}`);
  return fn;
}

function functionProperties(entry: string): Record<string, unknown> {
  const properties = resources[logicalId(handler(entry))]?.Properties;
  if (!properties) throw new Error(`no AWS::Lambda::Function for ${entry}`);
  return properties;
}

/** An ARN expression as text: `{Fn::Join: ['', [{Fn::GetAtt: [Bucket, 'Arn']}, '/public/*']]}` → `bucket/public/*`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(',');
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) return names[String(intrinsic.Ref)] ?? `Ref(${String(intrinsic.Ref)})`;
  if ('Fn::GetAtt' in intrinsic) {
    const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    const name = names[id] ?? id;
    return attribute === 'Arn' ? name : `${name}.${attribute}`;
  }
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  return JSON.stringify(value);
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Every `action resource` pair the function's role allows, sorted. */
function permissionsOf(entry: string): Permission[] {
  const role = logicalId(handler(entry).role as unknown as { node: { defaultChild?: unknown } });
  const permissions: Permission[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles ?? []) as { Ref: string }[];
    if (!roles.some((ref) => ref.Ref === role)) continue;
    for (const statement of statementsOf(resource)) {
      expect(statement.Effect).toBe('Allow');
      for (const action of asList(statement.Action)) {
        for (const arn of asList(statement.Resource)) permissions.push(`${action} ${render(arn)}`);
      }
    }
  }
  return permissions.sort();
}

function bucketPolicyStatements(): PolicyStatement[] {
  const policies = Object.values(resources).filter((resource) => resource.Type === 'AWS::S3::BucketPolicy');
  return policies.flatMap(statementsOf);
}

function statementsOf(policy: CfnResource): PolicyStatement[] {
  const document = policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] } | undefined;
  return document?.Statement ?? [];
}

describe('storage', () => {
  it('encrypts the bucket with S3-managed keys and blocks every kind of public access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
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
        { 'Fn::GetAtt': [logicalId(stack.storage.bucket), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack.storage.bucket), 'Arn'] }, '/*']] },
      ],
    });
  });

  it('keys the table by pk alone, bills per request and keeps point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('keeps the bucket and the table when the stack is deleted', () => {
    expect(resources[logicalId(stack.storage.bucket)]?.DeletionPolicy).toBe('Retain');
    expect(resources[logicalId(stack.storage.table)]?.DeletionPolicy).toBe('Retain');
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
                  { Ref: logicalId(stack.delivery.distribution) },
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('serves the public/ prefix through origin access control, HTTPS only, with the caching-optimized policy', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [
          Match.objectLike({
            DomainName: { 'Fn::GetAtt': [logicalId(stack.storage.bucket), 'RegionalDomainName'] },
            OriginPath: '/public',
            OriginAccessControlId: Match.anyValue(),
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        }),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
  });

  it('synthesizes without warnings, the imported-bucket OAC notice included', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
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

  it('runs every Lambda of the stack on Node.js 22 and arm64', () => {
    const functions = Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    for (const fn of functions) expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it.each(HANDLER_ENTRIES)('%s gets the house variables and every AITAGS_ setting', (entry) => {
    const variables = (functionProperties(entry).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, render(value)]))).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'aitags',
      AITAGS_BUCKET: 'bucket',
      AITAGS_TABLE: 'table',
      AITAGS_DELIVERY_BASE_URL: 'https://distribution.DomainName',
      AITAGS_PRIVATE_KEY_SECRET_ARN: 'privateKey',
      AITAGS_MAX_UPLOAD_BYTES: '4194304',
      AITAGS_SYNC_WINDOW_MS: '3000',
    });
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

  it.each(API_ROUTES.map((route) => [`${route.method} ${route.path}`, route.entry]))(
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

  it('gives each handler its own function', () => {
    const functionIds = HANDLER_ENTRIES.map((entry) => logicalId(handler(entry)));
    expect(new Set(functionIds).size).toBe(HANDLER_ENTRIES.length);
  });
});

describe('permissions', () => {
  const secretRead = ['secretsmanager:DescribeSecret privateKey', 'secretsmanager:GetSecretValue privateKey'];

  it('lets upload write and remove objects under public/ and private/, write records and read the key', () => {
    expect(permissionsOf('upload')).toEqual(
      [
        's3:PutObject bucket/public/*',
        's3:PutObject bucket/private/*',
        's3:DeleteObject bucket/public/*',
        's3:DeleteObject bucket/private/*',
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:UpdateItem table',
        'dynamodb:DeleteItem table',
        ...secretRead,
      ].sort(),
    );
  });

  it('lets get-details read records and sign private-file URLs, and nothing that writes', () => {
    const permissions = permissionsOf('get-details');
    expect(permissions).toEqual(['dynamodb:GetItem table', 's3:GetObject bucket/private/*', ...secretRead].sort());
    expect(permissions.filter((permission) => /Put|Update|Delete/.test(permission))).toEqual([]);
  });

  it('lets update-details read and write records and sign private-file URLs, but not touch objects otherwise', () => {
    expect(permissionsOf('update-details')).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:UpdateItem table',
        's3:GetObject bucket/private/*',
        ...secretRead,
      ].sort(),
    );
  });

  it('lets delete-file remove objects under public/ and private/ and records, and read nothing from the bucket', () => {
    const permissions = permissionsOf('delete-file');
    expect(permissions).toEqual(
      [
        'dynamodb:GetItem table',
        'dynamodb:DeleteItem table',
        's3:DeleteObject bucket/public/*',
        's3:DeleteObject bucket/private/*',
        ...secretRead,
      ].sort(),
    );
    expect(
      permissions.filter((permission) => permission.startsWith('s3:GetObject') || permission.startsWith('s3:PutObject')),
    ).toEqual([]);
  });

  it('gives route-not-found no permissions at all', () => {
    expect(permissionsOf(FALLBACK_ENTRY)).toEqual([]);
  });

  it.each(HANDLER_ENTRIES)('%s can neither scan the table nor reach objects outside public/ and private/', (entry) => {
    for (const permission of permissionsOf(entry)) {
      expect(permission).not.toMatch(/dynamodb:(Scan|Query|Batch|\*)/);
      expect(permission).not.toMatch(/^s3:\S+ bucket(\/\*)?$/);
      expect(permission).not.toContain('*:*');
    }
  });
});

describe('private key', () => {
  it('is a generated 40-character secret without punctuation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 40 },
    });
    expect(resources[logicalId(stack.api.privateKey)]?.Properties?.GenerateSecretString).not.toHaveProperty(
      'SecretStringTemplate',
    );
  });
});

describe('outputs', () => {
  it('names the API URL, delivery URL, key secret, bucket and table', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    expect(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, render(output.Value)]))).toEqual({
      ApiUrl: `${logicalId(stack.api.httpApi)}.ApiEndpoint`,
      DeliveryUrl: 'https://distribution.DomainName',
      PrivateKeySecretArn: 'privateKey',
      BucketName: 'bucket',
      TableName: 'table',
    });
    expect(outputs.PrivateKeySecretArn?.Description).toContain('aws secretsmanager get-secret-value');
  });
});

describe('settings', () => {
  function stackWith(props: { maxUploadBytes?: number; syncWindowMs?: number }): AitagsStack {
    return new AitagsStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Aitags', props);
  }

  it('passes a chosen upload cap and sync window to every handler', () => {
    const custom = Template.fromStack(stackWith({ maxUploadBytes: 1_000_000, syncWindowMs: 0 }));
    const functions = custom.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        AITAGS_MAX_UPLOAD_BYTES: '1000000',
        AITAGS_SYNC_WINDOW_MS: '0',
      });
    }
  });

  it('refuses an upload cap that cannot fit in a Lambda invocation', () => {
    expect(() => stackWith({ maxUploadBytes: 6 * 1024 * 1024 })).toThrow(/maxUploadBytes must be an integer from 1 to 4500000/);
  });

  it('refuses a sync window API Gateway would not wait for', () => {
    expect(() => stackWith({ syncWindowMs: 29_000 })).toThrow(/syncWindowMs must be an integer from 0 to 20000/);
  });
});
