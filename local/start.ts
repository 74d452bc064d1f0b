import { performance } from 'node:perf_hooks';
import { extensionBanner } from './extension-banner.js';
import { type LocalStack, startLocalStack } from './stack.js';
import { describeStartFailure, StartFailure } from './start-failures.js';

/** `npm start`: the whole service on http://127.0.0.1:3000, no AWS account needed. */
const startedAt = performance.now();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const keyFromEnvironment = Boolean(process.env.AITAGS_PRIVATE_KEY);
const webhookSecretFromEnvironment = Boolean(process.env.AITAGS_WEBHOOK_SECRET);
let stack: LocalStack;
try {
  // An empty AITAGS_DATA_DIR is unset: it would make the working directory the data dir.
  stack = await startLocalStack({ dataDir: process.env.AITAGS_DATA_DIR || './.aitags', port: portSetting(process.env.PORT || '3000') });
} catch (error) {
  // A start that fails says why in a line or two, without a stack trace (AITAGS_DEBUG=1 adds it to an unexpected error).
  console.error(describeStartFailure(error, Boolean(process.env.AITAGS_DEBUG)));
  process.exit(1);
}
// Before the ready line: whoever reads it may stop the server at once.
const shutdown = () => {
  stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

const keyLine = stack.privateKeyGenerated
  ? `private key (generated now, shown once; kept in ${stack.privateKeyFile}):\n    ${stack.privateKey}`
  : `private key: the one in ${keyFromEnvironment ? 'AITAGS_PRIVATE_KEY' : stack.privateKeyFile}`;
console.log(
  [
    `aitags is running on ${stack.apiUrl} (ready in ${Math.round(performance.now() - startedAt)} ms)`,
    `  ${keyLine}`,
    `  ${
      stack.webhookSecretGenerated
        ? `webhook secret (generated now, shown once; kept in ${stack.webhookSecretFile}):\n    ${stack.webhookSecret}`
        : `webhook secret: the one in ${webhookSecretFromEnvironment ? 'AITAGS_WEBHOOK_SECRET' : stack.webhookSecretFile}`
    }`,
    `  S3 (s3rver) ${stack.s3Endpoint}, DynamoDB (dynalite) ${stack.dynamoEndpoint}, data in ${process.env.AITAGS_DATA_DIR || './.aitags'}`,
    ...(await extensionBanner()),
    ...(stack.migratedItems || stack.reindexedFiles
      ? [
          `  search index: rebuilt the table (${stack.migratedItems} items) and indexed ${stack.reindexedFiles} file${stack.reindexedFiles === 1 ? '' : 's'} stored before it`,
        ]
      : []),
    `  try: curl -u "$KEY:" -F file=@photo.jpg -F fileName=photo.jpg ${stack.apiUrl}/api/v1/files/upload`,
  ].join('\n'),
);

function portSetting(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) throw new StartFailure(`PORT must be a port number from 0 to 65535 (got "${raw}").`);
  return port;
}
