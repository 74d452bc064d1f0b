import { prepareImage } from '../adapters/image-prep.js';
import { VisionLabels } from '../adapters/vision.js';
import { providerConfig, visionConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { TaggerDeps } from '../services/tag-extension.js';
import { taggerBudget } from './tagger-budget.js';
import { extensionClaims } from './extension-claims.js';
import { extensionFailures } from './extension-failures.js';
import { fileStore } from './file-store.js';
import { fileTable } from './file-table.js';
import { tagPolicies } from './tag-policies.js';
import { visionCredentials } from './vision-credentials.js';

const { providerTimeoutMs } = providerConfig();
const vision = visionConfig();

export const visionTagger = once(
  (): TaggerDeps => ({
    table: fileTable(),
    failures: extensionFailures(),
    policies: tagPolicies(),
    detector: new VisionLabels(async () => ({ endpoint: vision.endpoint, credentials: await visionCredentials(), timeoutMs: providerTimeoutMs })),
    prepareImage: (record) => prepareImage(fileStore(), record, { provider: { name: 'vision' } }),
    budget: taggerBudget(),
    claims: extensionClaims(),
  }),
);
