import { describe, expect, it } from 'vitest';
import { isAllowedTarget, type WebhookTargetPolicy } from '../../../functions/core/webhook-target.js';

const POLICIES: WebhookTargetPolicy[] = ['public-only', 'loopback', 'private'];

describe('isAllowedTarget', () => {
  it.each([
    ['8.8.8.8', [true, true, true]],
    ['2001:4860:4860::8888', [true, true, true]],
    ['127.0.0.1', [false, true, true]],
    ['::1', [false, true, true]],
    ['::ffff:127.0.0.1', [false, true, true]],
    ['10.1.2.3', [false, false, true]],
    ['192.168.1.1', [false, false, true]],
    ['169.254.169.254', [false, false, true]],
    ['fd00:ec2::254', [false, false, true]],
    ['100.64.0.1', [false, false, true]],
    ['0.0.0.0', [false, false, false]],
    ['224.0.0.1', [false, false, false]],
    ['not an address', [false, false, false]],
  ])('%s is allowed under public-only, loopback, private: %j', (address, expected) => {
    expect(POLICIES.map((policy) => isAllowedTarget(address, policy))).toEqual(expected);
  });
});
