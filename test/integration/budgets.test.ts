import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Providers } from '../support/providers.js';
import { getDetails } from '../support/requests.js';
import { startWith, type Tagged, taggedFile } from '../support/rejections.js';
import type { TestStack } from '../support/test-stack.js';

interface Status {
  extensions: Record<string, { budget?: { monthlyUsd: number; spentUsd: number; resetsAt: string } }>;
}

const statusOf = async (stack: TestStack) =>
  (await (await fetch(`${stack.apiUrl}/v1/status`, { headers: { authorization: stack.auth } })).json()) as Status;

/** A stack of its own: the handlers read AITAGS_MONTHLY_BUDGET_USD once, when they load. */
describe('monthly budgets (AITAGS_MONTHLY_BUDGET_USD) through the API', () => {
  let stack: TestStack;
  let providers: Providers;

  beforeAll(async () => {
    ({ stack, providers } = await startWith({
      AITAGS_MONTHLY_BUDGET_USD: JSON.stringify({ 'aws-auto-tagging': 0.003, 'google-auto-tagging': 0.0045 }),
      AITAGS_PROVIDER_PRICES: JSON.stringify({ 'aws-auto-tagging': 1.0, 'google-auto-tagging': 1.5 }),
    }));
  });
  afterAll(async () => {
    await stack?.close();
    await providers?.stop();
  });

  it('tags three uploads within $0.003 / $0.0045; the fourth ends BUDGET_EXCEEDED on both without reaching the fakes', async () => {
    const status = await statusOf(stack);
    expect(status.extensions['aws-auto-tagging']?.budget).toMatchObject({ monthlyUsd: 0.003, spentUsd: 0 });
    expect(status.extensions['google-auto-tagging']?.budget).toMatchObject({ monthlyUsd: 0.0045, spentUsd: 0 });

    const files: Tagged[] = [];
    for (let index = 0; index < 4; index++) files.push(await taggedFile(stack));

    expect(files.map((file) => file.extensionStatus)).toEqual([
      ...Array.from({ length: 3 }, () => ({ 'aws-auto-tagging': 'success', 'google-auto-tagging': 'success' })),
      { 'aws-auto-tagging': 'failed', 'google-auto-tagging': 'failed' },
    ]);
    expect({ rekognition: providers.rekognition.calls.length, vision: providers.vision.calls.length }).toEqual({ rekognition: 3, vision: 3 });
    const last = (await getDetails<{ extensionErrors?: Record<string, { reason: string; message: string }> }>(stack, files[3]?.fileId ?? '')).body;
    expect(last.extensionErrors?.['aws-auto-tagging']?.reason).toBe('BUDGET_EXCEEDED');
    expect(last.extensionErrors?.['google-auto-tagging']?.message).toMatch(/monthly budget of \$0\.0045 for google-auto-tagging is spent/);

    const after = await statusOf(stack);
    const resetsAt = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)).toISOString();
    expect(after.extensions['aws-auto-tagging']?.budget).toEqual({ monthlyUsd: 0.003, spentUsd: 0.003, resetsAt });
    expect(after.extensions['google-auto-tagging']?.budget).toEqual({ monthlyUsd: 0.0045, spentUsd: 0.0045, resetsAt });
  });
});
