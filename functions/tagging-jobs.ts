import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { jobObject, parseTaggingJobRequest } from './core/tagging-job.js';
import { http } from './http/handler.js';
import { jsonBodyOf } from './http/json-body.js';
import { json, ok, type HttpResponse } from './http/responses.js';
import { ROUTES, routeKey } from './http/routes.js';
import { logger } from './runtime/logger.js';
import { apiPrivateKey } from './wiring/private-key.js';
import { savedExtensions } from './wiring/saved-extensions.js';
import { taggingJobs } from './wiring/tagging-jobs.js';
import { checkWebhookTarget } from './wiring/webhook-targets.js';

const jobIdOf = (event: Pick<APIGatewayProxyEventV2, 'pathParameters'>) => event.pathParameters?.jobId ?? '';

const ROUTE_ACTIONS: Record<string, (event: Pick<APIGatewayProxyEventV2, 'pathParameters'> & { body: unknown }) => Promise<HttpResponse>> = {
  [routeKey(ROUTES.createTaggingJob)]: async (event) => {
    const request = parseTaggingJobRequest(event.body);
    await checkWebhookTarget(request.webhookUrl);
    const created = await taggingJobs().create({ ...request, extensions: await savedExtensions().resolve(request.extensions) });
    if ('estimate' in created) return ok(created.estimate);
    logger.info('Tagging job accepted', { jobId: created.job.jobId });
    return json(202, jobObject(created.job));
  },
  [routeKey(ROUTES.listTaggingJobs)]: async () => ok((await taggingJobs().list()).map(jobObject)),
  [routeKey(ROUTES.getTaggingJob)]: async (event) => ok(jobObject(await taggingJobs().get(jobIdOf(event)))),
  [routeKey(ROUTES.cancelTaggingJob)]: async (event) => ok(jobObject(await taggingJobs().cancel(jobIdOf(event)))),
};

/** POST/GET /v1/tagging-jobs, GET/DELETE /v1/tagging-jobs/:jobId — re-tag a selection of the library in the background. */
export const handler = http<unknown>(
  async (event) => {
    const action = ROUTE_ACTIONS[event.routeKey];
    if (!action) throw new Error(`tagging-jobs serves no route ${event.routeKey}`);
    return action(event);
  },
  { privateKey: apiPrivateKey, body: jsonBodyOf('POST') },
);
