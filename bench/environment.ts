/**
 * The process environment the benchmark runs in, set before anything reads it: imported first by
 * run.ts, so it is evaluated before the AWS SDK, Powertools or the handlers are loaded.
 */
Object.assign(process.env, {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Rekognition's client signs with the default credential chain; the loopback fake only checks a signature exists.
  AWS_ACCESS_KEY_ID: 'bench-fake-access-key',
  AWS_SECRET_ACCESS_KEY: 'bench-fake-secret-key',
});
