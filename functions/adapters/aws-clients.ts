import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The SDK clients, created once per container. Endpoints come from the SDK's own
 * `AWS_ENDPOINT_URL_<SERVICE>` variables; when one points at a local stand-in (s3rver, dynalite), that
 * client alone gets the stand-in's static credentials, so provider clients keep the real credential chain.
 */
const STAND_IN_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const s3Endpoint = process.env.AWS_ENDPOINT_URL_S3;
export const s3 = new S3Client({
  ...(s3Endpoint && { forcePathStyle: true, credentials: STAND_IN_CREDENTIALS }),
  // Otherwise streamed bodies reach S3-compatible stand-ins with aws-chunked framing stored verbatim.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

const dynamoEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
export const documents = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoEndpoint ? { credentials: STAND_IN_CREDENTIALS } : {}), {
  marshallOptions: { removeUndefinedValues: true },
});

const sfnEndpoint = process.env.AWS_ENDPOINT_URL_SFN;
export const stepFunctions = new SFNClient(sfnEndpoint ? { credentials: STAND_IN_CREDENTIALS } : {});
