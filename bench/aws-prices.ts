/**
 * AWS list prices, us-east-1, first pricing tier, no free tier (change them here; DynamoDB's are in
 * dynamodb-prices.ts). Read from each service's pricing page, December 2026:
 * - Lambda (aws.amazon.com/lambda/pricing), Arm: $0.0000133334 per GB-second, $0.20 per million requests;
 *   duration billed per 1 ms.
 * - Step Functions (aws.amazon.com/step-functions/pricing): Standard $0.025 per 1,000 state transitions,
 *   retries included; Express $1.00 per million requests and $0.00001667 per GB-second, duration rounded up
 *   to the nearest 100 ms and memory billed in 64 MB chunks.
 * - S3 Standard (aws.amazon.com/s3/pricing): PUT, COPY, POST, LIST $0.005 per 1,000; GET, HEAD and all other
 *   requests $0.0004 per 1,000; DELETE free.
 * - API Gateway HTTP APIs (aws.amazon.com/api-gateway/pricing): $1.00 per million requests (first 300 million),
 *   each request metered in 512 KB increments.
 * - CloudWatch Logs (aws.amazon.com/cloudwatch/pricing), standard log class: $0.50 per GB ingested.
 */
export const AWS_PRICES = {
  lambda: { usdPerGbSecond: 0.0000133334, usdPerMillionRequests: 0.2, billedMsIncrement: 1 },
  stepFunctions: {
    standardUsdPerTransition: 0.025 / 1000,
    expressUsdPerMillionRequests: 1,
    expressUsdPerGbSecond: 0.00001667,
    expressBilledMsIncrement: 100,
    expressMemoryIncrementMb: 64,
  },
  s3: { usdPerThousandPuts: 0.005, usdPerThousandGets: 0.0004 },
  httpApi: { usdPerMillionRequests: 1, meteredBytes: 512 * 1024 },
  cloudWatchLogs: { usdPerGbIngested: 0.5 },
  asOf: 'us-east-1 list prices, read December 2026',
} as const;
