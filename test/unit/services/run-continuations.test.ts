import { describe, expect, it, vi } from 'vitest';
import { RUN_DEADLINE_SECONDS } from '../../../functions/core/run-watches.js';
import { webhookEventId } from '../../../functions/core/webhook-events.js';
import { continueOnStandard } from '../../../functions/services/run-continuations.js';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const extension = { name: 'aws-auto-tagging' as const, minConfidence: 50, maxTags: 5 };

const STANDARD_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:TaggingWorkflow';

function deps() {
  return {
    standard: { start: vi.fn(async () => undefined) },
    standardArn: STANDARD_ARN,
    watches: { extend: vi.fn(async () => undefined) },
    claims: { handOver: vi.fn(async () => undefined) },
    now: () => NOW,
  };
}

describe('continueOnStandard', () => {
  it('moves the run’s watch to the Standard deadline, hands the claim to the Standard execution, then starts the extension there as <runId>-<extension>, paced as it was', async () => {
    const given = deps();
    const order: string[] = [];
    given.watches.extend.mockImplementation(async () => void order.push('extend'));
    given.claims.handOver.mockImplementation(async () => void order.push('hand over'));
    given.standard.start.mockImplementation(async () => void order.push('start'));

    const answer = await continueOnStandard({ tagging: { fileId: 'f1', runId: 'r1', extension, policyVersion: 'v1', paced: true } }, given);

    expect(answer).toEqual({ continuedAs: 'r1-aws-auto-tagging' });
    expect(given.watches.extend).toHaveBeenCalledWith('r1', new Date(NOW.getTime() + RUN_DEADLINE_SECONDS * 1000).toISOString());
    expect(given.standard.start).toHaveBeenCalledWith(
      { fileId: 'f1', runId: 'r1', extensions: [extension], syncDeadline: 0, policyVersion: 'v1', lost: false, paced: true },
      'r1-aws-auto-tagging',
    );
    // The id the Standard execution's tasks claim with: AWS's execution ARN for that machine and name.
    expect(given.claims.handOver).toHaveBeenCalledWith(
      'r1',
      'aws-auto-tagging',
      'arn:aws:states:eu-west-1:123456789012:execution:TaggingWorkflow:r1-aws-auto-tagging',
      NOW,
    );
    expect(order).toEqual(['extend', 'hand over', 'start']);
  });

  it('continues a webhook from the attempt its Express run reached, named by its event id (the webhook-id), and moves no watch', async () => {
    const given = deps();
    const eventId = webhookEventId('r1', 'aws-auto-tagging');
    const webhook = {
      fileId: 'f1',
      runId: 'r1',
      name: 'aws-auto-tagging' as const,
      status: 'success' as const,
      tagCount: 2,
      webhook: { url: 'https://hooks.example.com/', eventId, attempt: 2, delivered: false, gaveUp: false, waitSeconds: 5 },
    };

    expect(await continueOnStandard({ webhook }, given)).toEqual({ continuedAs: eventId });

    expect(given.standard.start).toHaveBeenCalledWith(
      {
        fileId: 'f1',
        runId: 'r1',
        extensions: [{ name: 'aws-auto-tagging', resume: webhook }],
        syncDeadline: 0,
        policyVersion: '',
        lost: false,
        paced: false,
      },
      eventId,
    );
    expect(given.watches.extend).not.toHaveBeenCalled();
    expect(given.claims.handOver).not.toHaveBeenCalled();
  });
});
