import { DeliveryUrlBuilder } from './adapters/delivery-urls.js';
import { S3FileStore } from './adapters/file-store.js';
import { DynamoFileTable } from './adapters/file-table.js';
import { InboxTable } from './adapters/inbox-table.js';
import { secretSetting } from './adapters/secrets.js';
import { StepFunctionsTaggingRuns } from './adapters/tagging-runs.js';
import { AutoTaggingRuns } from './auto-tagging.js';
import { apiConfig, deliveryConfig, storageConfig, webhookConfig, workflowConfig } from './config.js';
import { FileLibrary } from './file-library.js';

/** The adapters the HTTP handlers run with, built once per container from configuration. */
const api = apiConfig();
const storage = storageConfig();
export const store = new S3FileStore(storage.bucket);
const table = new DynamoFileTable(storage.table);
export const files = new FileLibrary({ store, table });
export const inbox = new InboxTable(storage.table);
export const delivery = new DeliveryUrlBuilder(deliveryConfig().deliveryBaseUrl, store);
/** The private API key (HTTP Basic username): configured locally, a Secrets Manager secret on AWS. */
export const privateKey = secretSetting(api.privateKey, api.privateKeySecretArn, (text) => {
  if (!text) throw new Error('The private key secret is empty');
  return text;
});
export const tagging = new AutoTaggingRuns(table, new StepFunctionsTaggingRuns(workflowConfig().stateMachineArn), api.syncWindowMs);
export const maxUploadBytes = api.maxUploadBytes;
export const allowPrivateWebhooks = webhookConfig().allowPrivateTargets;
