// Quiet logs and SDK notices in tests unless asked for (POWERTOOLS_LOG_LEVEL=INFO npm test).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
