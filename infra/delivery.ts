import { Annotations, Duration } from 'aws-cdk-lib';
import { AllowedMethods, CachePolicy, Distribution, HttpVersion, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DeliveryProps {
  bucket: IBucket;
}

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
        origin: S3BucketOrigin.withOriginAccessControl(originBucket, { originPath: '/public' }),
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
      },
    });
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
