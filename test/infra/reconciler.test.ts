import { beforeAll, describe, expect, it } from 'vitest';
import { RECONCILE_EVERY_MINUTES } from '../../functions/core/run-watches.js';
import { allStates, StackTemplate } from './stack-template.js';
import { TAGGING_STATES } from '../../infra/tagging-workflow.js';

let synthesized: StackTemplate;

beforeAll(() => {
  synthesized = new StackTemplate();
});

describe('the reconciler of lost tagging runs', () => {
  it('runs reconcile-runs every 10 minutes', () => {
    const rules = Object.values(synthesized.resources).filter((resource) => resource.Type === 'AWS::Events::Rule');
    const functionId = synthesized.functionId('reconcile-runs');
    const rule = rules.find((resource) =>
      ((resource.Properties?.Targets ?? []) as Array<{ Arn: unknown }>).some((target) => JSON.stringify(target.Arn).includes(functionId)),
    );
    expect(rule?.Properties).toMatchObject({ ScheduleExpression: `rate(${RECONCILE_EVERY_MINUTES} minutes)`, State: 'ENABLED' });
  });

  it('may read the watches and files, move watches on, record failures and start tagging executions (runs on Express, webhooks on Standard), nothing else', () => {
    expect(synthesized.environmentOf('reconcile-runs')).toMatchObject({
      AITAGS_STATE_MACHINE_ARN: 'runStateMachine',
      AITAGS_CONTINUATION_STATE_MACHINE_ARN: 'stateMachine',
    });
    const permissions = synthesized.permissionsOf('reconcile-runs');
    expect(permissions.filter((permission) => permission.startsWith('dynamodb:')).sort()).toEqual(
      [
        'dynamodb:BatchGetItem table',
        'dynamodb:DeleteItem table',
        'dynamodb:GetItem table',
        'dynamodb:PutItem table',
        'dynamodb:Query table/index/search',
        'dynamodb:UpdateItem table',
      ].sort(),
    );
    expect(permissions.filter((permission) => permission.startsWith('states:')).sort()).toEqual(
      ['states:StartExecution runStateMachine', 'states:StartExecution stateMachine'].sort(),
    );
    expect(permissions.filter((permission) => permission.startsWith('s3:'))).toEqual([]);
  });

  it('has the tagging workflow take a lost run: no tagger, the failure recorded and the webhook path as for any failure', () => {
    const states = allStates(synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine)));
    expect(states[TAGGING_STATES.tagEachExtension]?.ItemSelector).toMatchObject({ 'lost.$': '$.lost' });
    // The first rule of Pick the tagger: no state of its own, so no extra transition for any other run.
    expect((states[TAGGING_STATES.pickTagger]?.Choices as unknown[] | undefined)?.[0]).toEqual({
      Variable: '$.lost',
      BooleanEquals: true,
      Next: TAGGING_STATES.workflowLost,
    });
    expect(states[TAGGING_STATES.workflowLost]).toMatchObject({
      Type: 'Pass',
      Result: { Error: 'WorkflowLost' },
      Next: TAGGING_STATES.recordFailure,
    });
    // A job's file never takes it (its children's input has no `lost`).
    const jobStates = allStates(synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine)));
    expect(jobStates[TAGGING_STATES.workflowLost]).toBeUndefined();
  });

  it('has the tagging workflow resume a webhook its lost execution owed: no tagger, its next attempt by the usual states', () => {
    const states = allStates(synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingWorkflow.stateMachine)));
    // Rules of Pick the tagger right after the lost one, before the taggers': no state of their own for any other run.
    expect((states[TAGGING_STATES.pickTagger]?.Choices as unknown[] | undefined)?.slice(1, 3)).toEqual([
      {
        And: [
          { Variable: '$.extension.resume', IsPresent: true },
          { Variable: '$.extension.resume.webhook.attempt', NumericEquals: 1 },
        ],
        Next: TAGGING_STATES.resumeWebhook,
      },
      { Variable: '$.extension.resume', IsPresent: true, Next: TAGGING_STATES.resumeWebhookRetry },
    ]);
    // The item becomes the deliver task the lost execution would have made next.
    expect(states[TAGGING_STATES.resumeWebhook]).toEqual({ Type: 'Pass', OutputPath: '$.extension.resume', Next: TAGGING_STATES.deliverWebhook });
    expect(states[TAGGING_STATES.resumeWebhookRetry]).toEqual({
      Type: 'Pass',
      OutputPath: '$.extension.resume',
      Next: TAGGING_STATES.afterWebhookAttempt,
    });
    // A job's file owes no webhook of its own: its Choice has no such rule.
    const jobStates = allStates(synthesized.definitionOf(synthesized.logicalId(synthesized.stack.taggingJobs.stateMachine)));
    expect(jobStates[TAGGING_STATES.pickTagger]).toBeDefined();
    expect(JSON.stringify(jobStates[TAGGING_STATES.pickTagger])).not.toContain('resume');
    expect(jobStates[TAGGING_STATES.resumeWebhook]).toBeUndefined();
    expect(jobStates[TAGGING_STATES.resumeWebhookRetry]).toBeUndefined();
  });
});
