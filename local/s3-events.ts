import type { Context, S3Event, S3EventRecord } from 'aws-lambda';
import type S3rver from 's3rver';
import { encodeS3Key } from '../functions/core/direct-upload.js';
import { invoke } from './lambda-context.js';
import { type CfnTemplate, handlerEntryOf, type TemplateValue } from './synthesized-template.js';

export type NotificationHandler = (event: S3Event, context: Context) => Promise<unknown>;

/** One Lambda notification of the bucket, as the stack configures it. */
export interface BucketNotification {
  entry: string;
  /** e.g. `s3:ObjectCreated:*` */
  events: string[];
  prefix: string;
}

type Notification = {
  Events?: string[];
  LambdaFunctionArn?: TemplateValue;
  Filter?: { Key?: { FilterRules?: Array<{ Name: string; Value: string }> } };
};

/** The bucket notifications of the synthesized stack (CDK's Custom::S3BucketNotifications). */
export function bucketNotificationsOf(template: CfnTemplate): BucketNotification[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'Custom::S3BucketNotifications')
    .flatMap((resource) => {
      const configuration = resource.Properties?.NotificationConfiguration as { LambdaFunctionConfigurations?: Notification[] } | undefined;
      return configuration?.LambdaFunctionConfigurations ?? [];
    })
    .map((notification) => {
      const arn = notification.LambdaFunctionArn as { 'Fn::GetAtt'?: string[] } | undefined;
      return {
        entry: handlerEntryOf(template, arn?.['Fn::GetAtt']?.[0] ?? ''),
        events: notification.Events ?? [],
        prefix: notification.Filter?.Key?.FilterRules?.find((rule) => rule.Name.toLowerCase() === 'prefix')?.Value ?? '',
      };
    });
}

const matches = (pattern: string, eventName: string) => {
  const [kind, detail] = pattern.replace(/^s3:/, '').split(':');
  const [eventKind, eventDetail] = eventName.split(':');
  return kind === eventKind && (detail === '*' || detail === eventDetail);
};

/** Lambda's asynchronous invocation retries a failed event twice (after about 1 and 2 minutes on AWS). */
const RETRY_DELAYS_MS = [1000, 2000];
/** The trigger's timeout (infra/s3-trigger.ts). */
const TRIGGER_TIMEOUT_MS = 120_000;

/**
 * Delivers s3rver's notification records to the handlers the stack subscribes, as Lambda's async
 * invocation does: filtered by event and prefix, keys URL-encoded the way S3 writes them (s3rver leaves
 * them raw), retried twice on failure, then reported.
 */
export function bridgeS3Events(
  s3rver: S3rver,
  notifications: BucketNotification[],
  handlers: Record<string, NotificationHandler>,
  onFailure: (record: S3EventRecord, error: unknown) => void,
) {
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const listeners: Array<(event: S3Event) => void> = [];
  const deliver = async (handler: NotificationHandler, entry: string, record: S3EventRecord) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await invoke(handler, { Records: [record] }, entry, TRIGGER_TIMEOUT_MS);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || stopped) return onFailure(record, error);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  s3rver.on('event', (event: S3Event) => {
    if (stopped) return;
    for (const raw of event.Records) {
      const record: S3EventRecord = { ...raw, s3: { ...raw.s3, object: { ...raw.s3.object, key: encodeS3Key(raw.s3.object.key) } } };
      for (const notification of notifications) {
        const handler = handlers[notification.entry];
        if (!handler || !raw.s3.object.key.startsWith(notification.prefix) || !notification.events.some((pattern) => matches(pattern, raw.eventName)))
          continue;
        const delivery = deliver(handler, notification.entry, record).finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
        for (const listener of listeners) listener({ Records: [record] });
      }
    }
  });
  return {
    /** Also hands every delivered event to `listener` (tests replay them to check exactly-once handling). */
    onEvent(listener: (event: S3Event) => void) {
      listeners.push(listener);
    },
    /** Resolves once every delivered event has been handled (retries included). */
    async idle() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    /** Takes no new events and retries nothing more; resolves once the deliveries under way end. */
    async stop() {
      stopped = true;
      await Promise.all([...inFlight]);
    },
  };
}
