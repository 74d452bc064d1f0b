import { rekognitionClient } from '../adapters/clients/rekognition.js';
import { prepareImage } from '../adapters/image-prep.js';
import { RekognitionLabels } from '../adapters/rekognition.js';
import { bucketConfig, providerConfig, rekognitionConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { TaggerDeps } from '../services/tag-extension.js';
import { taggerBudget } from './tagger-budget.js';
import { extensionClaims } from './extension-claims.js';
import { extensionFailures } from './extension-failures.js';
import { fileStore } from './file-store.js';
import { fileTable } from './file-table.js';
import { tagPolicies } from './tag-policies.js';

const { bucket } = bucketConfig();
const { providerTimeoutMs } = providerConfig();
const { readsS3 } = rekognitionConfig();
const imagePrep = { provider: { name: 'rekognition', readsS3 }, bucket } as const;

export const rekognitionTagger = once(
  (): TaggerDeps => ({
    table: fileTable(),
    failures: extensionFailures(),
    policies: tagPolicies(),
    detector: new RekognitionLabels(rekognitionClient(providerTimeoutMs)),
    prepareImage: (record) => prepareImage(fileStore(), record, imagePrep),
    budget: taggerBudget(),
    claims: extensionClaims(),
  }),
);
