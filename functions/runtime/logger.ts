import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs; the request id comes from the Lambda context, handlers add the fileId. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'aitags' });
