import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoFileTable } from './adapters/file-table.js';
import { storageConfig } from './config.js';
import { type ExtensionOutcome, extensionFailureTaskSchema, failureFromStepError } from './core/tagging-run.js';
import { logger } from './logger.js';

const table = new DynamoFileTable(storageConfig().table);

/** State machine task, reached by a tagger's Catch: records the extension as `failed` with the reason. */
export const handler = middy(async (event: unknown): Promise<ExtensionOutcome> => {
  const task = extensionFailureTaskSchema.parse(event);
  logger.appendKeys({ fileId: task.fileId, runId: task.runId, extension: task.extension.name });
  const error = failureFromStepError(task.error);
  await table.recordOutcome(task.fileId, task.runId, task.extension.name, { status: 'failed', error });
  logger.warn('Extension failed after retries', { error });
  return { name: task.extension.name, status: 'failed', error };
}).use(injectLambdaContext(logger, { resetKeys: true }));
