import type { UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logFormatFrom } from '../../../functions/runtime/config.js';
import { LineLogger, LogLineFormatter, logLine } from '../../../functions/runtime/log-line.js';

// Local time, as a terminal shows it.
const at = new Date(2026, 10, 25, 12, 13, 18, 442);
const lambdaContext = {
  functionName: 'aitags-tag-with-rekognition',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:aitags-tag-with-rekognition',
  memoryLimitInMB: '1024',
  awsRequestId: '4f1c0e2a-0000-4000-8000-000000000000',
};

/** An event's attributes as Powertools hands them to the formatter. */
const event = (logLevel: UnformattedAttributes['logLevel'], message: string, withContext: boolean): UnformattedAttributes => ({
  logLevel,
  timestamp: at,
  message,
  serviceName: 'aitags',
  sampleRateValue: 0,
  awsRegion: 'us-east-1',
  ...(withContext && { lambdaContext: { ...lambdaContext, coldStart: false } }),
});

describe('logLine', () => {
  it('is time, level, function, message, then fileId and extension first and the other keys after', () => {
    const line = logLine(event('INFO', 'Extension finished', true), {
      runId: 'run_1',
      tags: 3,
      extension: 'aws-auto-tagging',
      fileId: '8dbfb23e5171b6df567dd6d6',
    });
    expect(line).toBe(
      '12:13:18.442 INFO  tag-with-rekognition  Extension finished  fileId=8dbfb23e5171b6df567dd6d6 extension=aws-auto-tagging runId=run_1 tags=3',
    );
  });

  it('shows an error as its name and message, quotes text with spaces, writes objects as JSON and leaves empty keys out', () => {
    const line = logLine(event('WARN', 'Webhook attempt failed; retrying later', false), {
      error: new TypeError('fetch failed'),
      reason: 'no answer',
      extensions: ['aws-auto-tagging'],
      stepError: undefined,
      detail: '',
    });
    expect(line).toBe(
      '12:13:18.442 WARN  -                     Webhook attempt failed; retrying later  error="TypeError: fetch failed" reason="no answer" extensions=["aws-auto-tagging"]',
    );
  });
});

describe('LineLogger', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('prints each event as its one line: info to stdout, warnings and errors to stderr', () => {
    vi.useFakeTimers({ now: at });
    const stdout = vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const logger = new LineLogger({ serviceName: 'aitags', logLevel: 'INFO', logFormatter: new LogLineFormatter() });
    logger.addContext(lambdaContext as Context);
    logger.appendKeys({ fileId: '8dbfb23e5171b6df567dd6d6', extension: 'aws-auto-tagging' });
    logger.info('Extension finished', { tags: 3 });
    logger.error('Provider refused the call', { reason: 'BAD_IMAGE' });
    expect(stdout.mock.calls).toEqual([
      ['12:13:18.442 INFO  tag-with-rekognition  Extension finished  fileId=8dbfb23e5171b6df567dd6d6 extension=aws-auto-tagging tags=3\n'],
    ]);
    expect(stderr.mock.calls).toEqual([
      [
        '12:13:18.442 ERROR tag-with-rekognition  Provider refused the call  fileId=8dbfb23e5171b6df567dd6d6 extension=aws-auto-tagging reason=BAD_IMAGE\n',
      ],
    ]);
  });
});

describe('logFormatFrom', () => {
  const settings = (values: Record<string, string>) => (name: string) => values[name];

  it('writes JSON on Lambda, whatever else is set', () => {
    expect(logFormatFrom(settings({ AWS_LAMBDA_FUNCTION_NAME: 'aitags-upload', AITAGS_LOG_FORMAT: 'pretty' }), true)).toBe('json');
  });

  it('writes lines to a terminal and JSON to a pipe, unless AITAGS_LOG_FORMAT says which', () => {
    expect(logFormatFrom(settings({}), true)).toBe('pretty');
    expect(logFormatFrom(settings({}), false)).toBe('json');
    expect(logFormatFrom(settings({ AITAGS_LOG_FORMAT: 'json' }), true)).toBe('json');
    expect(logFormatFrom(settings({ AITAGS_LOG_FORMAT: 'pretty' }), false)).toBe('pretty');
  });

  it('refuses any other format, naming the variable', () => {
    expect(() => logFormatFrom(settings({ AITAGS_LOG_FORMAT: 'text' }), true)).toThrow(
      'Environment variable AITAGS_LOG_FORMAT must be json or pretty (got "text")',
    );
  });
});
