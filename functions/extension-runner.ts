import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { FileStore } from './adapters/file-store.js';
import type { ExtensionResult, FileTable } from './adapters/file-table.js';
import { type ImagePrepOptions, prepareImage } from './adapters/image-prep.js';
import { ExtensionFailure, type LabelDetector } from './adapters/label-detector.js';
import type { ExtensionName } from './core/extensions.js';
import { selectTags } from './core/select-tags.js';
import { type ExtensionTask, extensionTaskSchema, needsProviderCall, type TaggerResult, taggerResult, untaggable } from './core/tagging-run.js';
import { logger } from './logger.js';

export interface TaggerDeps {
  table: FileTable;
  store: FileStore;
  detector: LabelDetector;
  imagePrep?: ImagePrepOptions;
}

/**
 * One extension of one run: read the image, ask the provider, keep the tags the rules select, land them
 * on the record. A final failure is recorded as `failed`; a transient one is thrown for the state
 * machine's Retry (and, once retries are spent, its Catch records the failure).
 */
export async function runExtension(task: ExtensionTask, deps: TaggerDeps): Promise<TaggerResult> {
  const { fileId, runId, extension } = task;
  const name: ExtensionName = extension.name;
  const record = await deps.table.get(fileId);
  if (!record) {
    logger.warn('File gone before tagging', { runId, extension: name });
    return taggerResult(task, { name, status: 'failed', error: { message: 'The file was deleted', reason: 'FILE_DELETED' } }, undefined);
  }
  let result: ExtensionResult;
  const refusal = untaggable(record);
  try {
    result = refusal ? { status: 'failed', error: refusal } : { status: 'success', tags: await detectTags(task, record, deps) };
  } catch (error) {
    if (!(error instanceof ExtensionFailure)) throw error;
    result = { status: 'failed', error: { message: error.message, reason: error.reason } };
  }
  const written = await deps.table.recordOutcome(fileId, runId, name, result);
  const current = written ? undefined : await deps.table.get(fileId);
  if (!written) logger.info('A newer run or an overwrite superseded this run: result dropped', { runId, extension: name });
  logger.info('Extension finished', {
    runId,
    extension: name,
    status: result.status,
    ...(result.status === 'success' ? { tagCount: result.tags.length } : { error: result.error }),
  });
  const outcome =
    result.status === 'success'
      ? { name, status: 'success' as const, tagCount: result.tags.length }
      : { name, status: 'failed' as const, error: result.error };
  return taggerResult(task, outcome, written, current);
}

async function detectTags(task: ExtensionTask, record: Parameters<typeof prepareImage>[1], deps: TaggerDeps) {
  if (!needsProviderCall(task.extension)) return [];
  const image = await prepareImage(deps.store, record, deps.imagePrep);
  const labels = await deps.detector.detect(image, task.extension.minConfidence);
  return selectTags(labels, task.extension);
}

/** A tagger Lambda: the Map state's item in, the extension's outcome out. */
export function taggerHandler(deps: () => TaggerDeps) {
  return middy(async (event: unknown) => {
    const task = extensionTaskSchema.parse(event);
    logger.appendKeys({ fileId: task.fileId, runId: task.runId, extension: task.extension.name });
    return runExtension(task, deps());
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
