import { describe, expect, it, vi } from 'vitest';
import type { DeliveryUrlBuilder } from '../../../functions/adapters/delivery-urls.js';
import type { FileTable } from '../../../functions/adapters/file-table.js';
import type { WebhookDeliveries } from '../../../functions/adapters/webhook-deliveries.js';
import type { WebhookSender } from '../../../functions/adapters/webhook-sender.js';
import type { WebhookTask } from '../../../functions/core/tagging-run.js';
import { recordMetric } from '../../../functions/runtime/metrics.js';
import { deliverWebhookAttempt } from '../../../functions/services/webhook-delivery.js';

vi.mock('../../../functions/runtime/metrics.js', async (original) => ({ ...(await original<object>()), recordMetric: vi.fn() }));

const task: WebhookTask = {
  fileId: '0123456789abcdef01234567',
  runId: 'run-1',
  name: 'google-auto-tagging',
  status: 'failed',
  error: { message: 'The file was deleted', reason: 'FILE_DELETED' },
  webhook: { url: 'https://example.com/hooks', eventId: 'msg_1', attempt: 1, delivered: false, gaveUp: false },
};

function deps(recordAttempt: WebhookDeliveries['recordAttempt'], delivered: boolean) {
  const send = vi.fn(async () => ({ delivered, refused: false, status: delivered ? 200 : 500, durationMs: 12 }));
  const settleWebhook = vi.fn(async () => undefined);
  return {
    send,
    settleWebhook,
    deps: {
      table: { get: async () => undefined, settleWebhook } as unknown as FileTable,
      deliveries: { recordAttempt, claimAttempt: async () => ({ claimed: true }) } as unknown as WebhookDeliveries,
      deliveryUrls: {} as DeliveryUrlBuilder,
      sender: { send } as unknown as WebhookSender,
    },
  };
}

describe('deliverWebhookAttempt', () => {
  it('hands on the next step of the schedule even when recording the attempt fails, so the event is not sent again', async () => {
    const failingRecord = vi.fn(async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    const { deps: withFailingTable, send } = deps(failingRecord, true);
    const next = await deliverWebhookAttempt(task, withFailingTable);
    expect(send).toHaveBeenCalledTimes(1);
    expect(failingRecord).toHaveBeenCalledTimes(1);
    expect(next.webhook).toEqual({ url: task.webhook.url, eventId: 'msg_1', attempt: 1, delivered: true, gaveUp: false });
  });

  it('records a failed attempt as pending and keeps the file’s mark until the delivery is final', async () => {
    const record = vi.fn<WebhookDeliveries['recordAttempt']>(async () => undefined);
    const { deps: working, settleWebhook } = deps(record, false);
    const next = await deliverWebhookAttempt(task, working);
    expect(next.webhook).toMatchObject({ attempt: 2, delivered: false, gaveUp: false });
    expect(record.mock.calls[0]?.[3]).toBe('pending');
    expect(settleWebhook).not.toHaveBeenCalled();
  });

  it('drops the file’s mark once the delivery is final', async () => {
    const record = vi.fn<WebhookDeliveries['recordAttempt']>(async () => undefined);
    const { deps: working, settleWebhook } = deps(record, true);
    await deliverWebhookAttempt(task, working);
    expect(record.mock.calls[0]?.[3]).toBe('delivered');
    expect(settleWebhook).toHaveBeenCalledWith(task.fileId, 'msg_1');
  });

  it('counts every attempt and, after the last one of the schedule, a final failure for the alarm', async () => {
    vi.mocked(recordMetric).mockClear();
    const record = vi.fn<WebhookDeliveries['recordAttempt']>(async () => undefined);
    const { deps: working } = deps(record, false);
    const next = await deliverWebhookAttempt({ ...task, webhook: { ...task.webhook, attempt: 8 } }, working);
    expect(next.webhook).toMatchObject({ gaveUp: true });
    expect(vi.mocked(recordMetric).mock.calls).toEqual([
      ['WebhookAttempts', 1],
      ['WebhookFinalFailures', 1],
    ]);
  });
});
