import { http } from './http/handler.js';
import { ok } from './http/responses.js';
import { statusReport } from './services/extension-status.js';
import { extensionStatusDeps } from './wiring/extension-status.js';
import { apiPrivateKey } from './wiring/private-key.js';

/** GET /v1/status — which extensions can run (told without calling a provider), and the last failure of each. */
export const handler = http<unknown>(async () => ok(await statusReport(extensionStatusDeps())), { privateKey: apiPrivateKey });
