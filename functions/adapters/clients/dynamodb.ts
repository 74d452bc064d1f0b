import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { once } from '../../runtime/once.js';
import { standInCredentials } from './stand-in.js';

/** The DynamoDB document client, built on first use and reused across warm invocations. */
export const documentClient = once(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient(standInCredentials('AWS_ENDPOINT_URL_DYNAMODB')), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);
