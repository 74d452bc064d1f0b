import { parseTagPolicyChange, tagPolicyObject } from './core/tag-policy-request.js';
import { http } from './http/handler.js';
import { jsonBodyOf } from './http/json-body.js';
import { ok } from './http/responses.js';
import { ROUTES, routeKey } from './http/routes.js';
import { logger } from './runtime/logger.js';
import { apiPrivateKey } from './wiring/private-key.js';
import { tagPolicies } from './wiring/tag-policies.js';

/** GET /v1/tag-policy, PUT /v1/tag-policy — the library's tag policy, applied to every run that starts after it changed. */
export const handler = http<unknown>(
  async (event) => {
    if (event.routeKey === routeKey(ROUTES.getTagPolicy)) return ok(tagPolicyObject(await tagPolicies().current()));
    if (event.routeKey !== routeKey(ROUTES.putTagPolicy)) throw new Error(`tag-policy serves no route ${event.routeKey}`);
    const change = parseTagPolicyChange(event.body);
    const saved = await tagPolicies().replace(change.policy, change.expectedUpdatedAt);
    logger.info('Tag policy saved', { versionId: saved.versionId });
    return ok(tagPolicyObject(saved));
  },
  { privateKey: apiPrivateKey, body: jsonBodyOf('PUT') },
);
