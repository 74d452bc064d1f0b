import { describe, expect, it } from 'vitest';
import { afterRefusedAttempt, type WebhookProgress } from '../../../functions/core/webhook-events.js';

const third: WebhookProgress = { url: 'https://hooks.example.com/aitags', eventId: 'evt-1', attempt: 3, delivered: false, gaveUp: false };

describe('a webhook attempt whose claim was refused', () => {
  it('goes on to the next attempt when this execution made it and recorded it (its answer was lost)', () => {
    expect(afterRefusedAttempt(third, { claimed: false, reason: 'attempted', owner: 'exec-a' }, 'exec-a', 0)).toEqual({
      url: third.url,
      eventId: 'evt-1',
      attempt: 4,
      delivered: false,
      gaveUp: false,
      waitSeconds: 1800,
    });
  });

  it('ends delivered when the event was delivered', () => {
    expect(afterRefusedAttempt(third, { claimed: false, reason: 'delivered' }, 'exec-a', 0)).toEqual({ ...third, delivered: true, gaveUp: false });
  });

  it('ends given up for this execution when the event was given up, or another execution made or makes the attempt', () => {
    const givenUp = { ...third, delivered: false, gaveUp: true };
    expect(afterRefusedAttempt(third, { claimed: false, reason: 'failed' }, 'exec-a', 0)).toEqual(givenUp);
    expect(afterRefusedAttempt(third, { claimed: false, reason: 'attempted', owner: 'exec-b' }, 'exec-a', 0)).toEqual(givenUp);
    expect(afterRefusedAttempt(third, { claimed: false, reason: 'claimed', owner: 'exec-b' }, 'exec-a', 0)).toEqual(givenUp);
  });
});
