import { LogFormatter, LogItem, Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/** Keys shown first, in this order: what a person follows an upload by. */
const LEADING_KEYS = ['fileId', 'extension'];
/** Wide enough for most handler names, so that messages line up. */
const FUNCTION_COLUMN = 20;

/**
 * A log event as one short line for a person at a terminal: local time, level, function (its name without
 * the service's prefix), message, then its keys, `fileId` and `extension` first:
 * `12:13:18.442 INFO  tag-with-rekognition  Extension finished  fileId=8dbf… extension=aws-auto-tagging runId=…`.
 */
export function logLine(attributes: UnformattedAttributes, keys: LogAttributes): string {
  const time = attributes.timestamp;
  const clock = `${[time.getHours(), time.getMinutes(), time.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':')}.${String(time.getMilliseconds()).padStart(3, '0')}`;
  const prefix = `${attributes.serviceName}-`;
  const name = attributes.lambdaContext?.functionName ?? '-';
  const functionName = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  const ordered = [...LEADING_KEYS.filter((key) => key in keys), ...Object.keys(keys).filter((key) => !LEADING_KEYS.includes(key))];
  const pairs = ordered.flatMap((key) => {
    const value = keys[key];
    return value === undefined || value === null || value === '' ? [] : [`${key}=${shown(value)}`];
  });
  return [
    `${clock} ${attributes.logLevel.toUpperCase().padEnd(5)} ${functionName.padEnd(FUNCTION_COLUMN)}  ${attributes.message}`,
    ...(pairs.length ? [pairs.join(' ')] : []),
  ].join('  ');
}

/** A value as a person reads it: bare when it is one word, else quoted or as compact JSON; an error as its name and message. */
function shown(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object')
    return JSON.stringify(value, (_key, inner: unknown) => (inner instanceof Error ? `${inner.name}: ${inner.message}` : inner));
  return String(value);
}

/** A log item whose printed form is one line (LineLogger prints it); its attributes stay the event's keys. */
export class LogLineItem extends LogItem {
  constructor(
    readonly line: string,
    attributes: LogAttributes,
  ) {
    super({ attributes });
  }
}

/** Powertools' formatter hook, making each event a LogLineItem. */
export class LogLineFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LogLineItem(logLine(attributes, additionalLogAttributes), { message: attributes.message, ...additionalLogAttributes });
  }
}

/**
 * The Logger that prints a LogLineItem as its line: Powertools' Logger prints whatever its formatter makes
 * as JSON, and overriding printLog is how it lets a subclass print otherwise. Warnings and errors go to
 * stderr, as Powertools' console sends them.
 */
export class LineLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    if (log instanceof LogLineItem) (logLevel >= LogLevelThreshold.WARN ? process.stderr : process.stdout).write(`${log.line}\n`);
    else super.printLog(logLevel, log);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new LineLogger(options);
  }
}
