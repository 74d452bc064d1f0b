import { Annotations, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PUBLIC_FILE_HEADERS } from './public-file-headers.js';

export interface DeliveryProps {
  bucket: IBucket;
}

/**
 * Room kept for the Region in a name: the longest Region code today has 14 characters (ap-southeast-4,
 * ap-northeast-1); 20 leaves some for longer ones.
 */
const REGION_ROOM = 20;

/**
 * A CloudFront name, which must be unique in the account (CloudFront is global): the stack's name and the
 * construct's path (CDK's unique name of them, shortened with a hash so it never exceeds its budget), what
 * the thing is, and the Region — so that the same stack deployed to a second Region does not fail with
 * "already exists". The Region is a token at synth (the stack is environment-agnostic); REGION_ROOM keeps
 * the whole within `maxLength` once CloudFormation resolves it.
 */
export function accountWideName(scope: Construct, what: string, maxLength: number): string {
  const budget = maxLength - REGION_ROOM - what.length - 2;
  return `${Names.uniqueResourceName(scope, { maxLength: budget, separator: '-' })}-${what}-${Stack.of(scope).region}`;
}

/**
 * CloudFront's longest names: an origin access control's (OriginAccessControlConfig.Name, 64) and a
 * response headers policy's (128, the budget CDK itself gives a generated one).
 */
export const CLOUDFRONT_NAME_LIMITS = { originAccessControl: 64, responseHeadersPolicy: 128 } as const;

/** The CDN in front of the bucket's public/ prefix: what a public file's `url` and `thumbnailUrl` point at. */
export class Delivery extends Construct {
  readonly distribution: Distribution;
  /** `https://<distribution domain>`, without a trailing slash (AITAGS_DELIVERY_BASE_URL). */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    const { bucket } = props;

    // The OAC origin grants CloudFront GetObject on bucket/* — private/ included — when it can edit the
    // bucket policy. Handed a reference it cannot edit, it leaves the policy alone and we grant public/* below.
    const originBucket = Bucket.fromBucketAttributes(this, 'OriginBucket', {
      bucketArn: bucket.bucketArn,
      bucketName: bucket.bucketName,
      bucketRegionalDomainName: bucket.bucketRegionalDomainName,
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'aitags public files',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(originBucket, {
          originPath: '/public',
          originAccessControl: new S3OriginAccessControl(this, 'PublicFilesAccess', {
            description: 'aitags: CloudFront reads public/ of the files bucket',
            originAccessControlName: accountWideName(this, 'PublicFiles', CLOUDFRONT_NAME_LIMITS.originAccessControl),
          }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // A file overwritten at its path, deleted or made private stops being served within 5 minutes
        // (CachingOptimized would keep the old bytes for a day).
        cachePolicy: new CachePolicy(this, 'PublicFiles', {
          comment: 'aitags public files: short default TTL, objects replaced in place',
          defaultTtl: Duration.minutes(5),
          minTtl: Duration.seconds(0),
          maxTtl: Duration.days(1),
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        }),
        compress: true,
        responseHeadersPolicy: new ResponseHeadersPolicy(this, 'PublicFileHeaders', {
          responseHeadersPolicyName: accountWideName(this, 'PublicFileHeaders', CLOUDFRONT_NAME_LIMITS.responseHeadersPolicy),
          comment: 'aitags public files: no MIME sniffing, no active content',
          securityHeadersBehavior: {
            contentTypeOptions: { override: true },
            contentSecurityPolicy: { contentSecurityPolicy: PUBLIC_FILE_HEADERS['content-security-policy'], override: true },
          },
        }),
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: "Public files are served worldwide, as ImageKit serves them; a country restriction is a deployment's own policy.",
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'GET and HEAD of stored objects only, with no origin compute to shield; a web ACL is a fixed monthly cost a deployment adds if it needs one.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Standard logging needs a log bucket with ACLs enabled; CloudFront metrics show usage, and API calls are logged by API Gateway.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Served on the default *.cloudfront.net certificate, whose minimum viewer protocol CloudFront fixes at TLSv1; a custom domain with an ACM certificate would allow TLSv1.2_2021.',
      },
    );
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'The bucket policy grants the distribution public/* only; added in infra/delivery.ts.',
    );

    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudFrontReadsPublicFiles',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects('public/*')],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );

    this.baseUrl = `https://${this.distribution.distributionDomainName}`;
  }
}
