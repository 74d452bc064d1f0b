import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoFileTable } from './adapters/file-table.js';
import { storageConfig } from './config.js';
import { extensionFailureTaskSchema, failureFromStepError, type TaggerResult, taggerResult } from './core/tagging-run.js';
import { logger } from './logger.js';

const table = new DynamoFileTable(storageConfig().table);

/** State machine task, reached by a tagger's Catch: records the extension as `failed` with the reason. */
export const handler = middy(async (event: unknown): Promise<TaggerResult> => {
  const task = extensionFailureTaskSchema.parse(event);
  logger.appendKeys({ fileId: task.fileId, runId: task.runId, extension: task.extension.name });
  const error = failureFromStepError(task.error);
  const written = await table.recordOutcome(task.fileId, task.runId, task.extension.name, { status: 'failed', error });
  const current = written ? undefined : await table.get(task.fileId);
  logger.warn('Extension failed after retries', { error, stepError: task.error });
  return taggerResult(task, { name: task.extension.name, status: 'failed', error }, written, current);
}).use(injectLambdaContext(logger, { resetKeys: true }));
