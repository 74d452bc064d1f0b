import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type * as z from 'zod/mini';
import { logger } from '../runtime/logger.js';

/**
 * The one middy stack for the Lambdas that are not API routes (state-machine tasks, the S3 trigger): a
 * fresh logging context per invocation, the input checked against its schema, and the log keys it names.
 */
export function task<Schema extends z.ZodMiniType, Output>(
  schema: Schema,
  logKeys: (input: z.infer<Schema>) => Record<string, unknown>,
  run: (input: z.infer<Schema>) => Promise<Output>,
) {
  return middy(async (event: unknown): Promise<Output> => {
    const input = schema.parse(event);
    logger.appendKeys(logKeys(input));
    return run(input);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}

/** Log keys of a task about one extension of one run. */
export const extensionKeys = (input: { fileId: string; runId: string; extension: { name: string } }) => ({
  fileId: input.fileId,
  runId: input.runId,
  extension: input.extension.name,
});
