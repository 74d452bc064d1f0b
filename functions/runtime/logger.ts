import { Logger } from '@aws-lambda-powertools/logger';
import { logFormatFrom } from './config.js';
import { LineLogger, LogLineFormatter } from './log-line.js';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'aitags';

/**
 * Structured logs; the request id comes from the Lambda context, handlers add the fileId. The same calls
 * everywhere: only the format differs, JSON on Lambda and through a pipe, short lines in a terminal.
 */
export const logger =
  logFormatFrom((name) => process.env[name], process.stdout.isTTY === true) === 'pretty'
    ? new LineLogger({ serviceName, logFormatter: new LogLineFormatter() })
    : new Logger({ serviceName });
