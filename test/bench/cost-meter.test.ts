import '../../local/promise-with-resolvers.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { CostMeter } from '../../bench/cost-meter.js';

const definition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: [1, 2, 3], Next: 'Each item' },
    'Each item': {
      Type: 'Map',
      ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Pass', Next: 'Check' }, Check: { Type: 'Pass', End: true } } },
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
} as unknown as ConstructorParameters<typeof StateMachine>[0];

describe('the cost meter', () => {
  it('counts the states an execution entered, Map iterations included, and only executions started with an id', async () => {
    const meter = new CostMeter();
    meter.start();
    const machine = new StateMachine(definition);
    const execution = machine.run(
      {},
      { context: { Execution: { Id: 'arn:local:execution:one' }, StateMachine: { Id: 'arn:local:stateMachine:m' } } },
    );
    await execution.result;
    await machine.run({}).result;
    await meter.stop();

    expect(meter.executions).toHaveLength(1);
    const [record] = meter.executions;
    // Prepare, Each item, 3 × (Work, Check), Done.
    expect(record).toMatchObject({
      executionArn: 'arn:local:execution:one',
      stateMachineArn: 'arn:local:stateMachine:m',
      stateNames: ['Done', 'Each item', 'Prepare'],
      entered: 9,
      retried: 0,
      taskEntered: 0,
      mapEntered: 1,
    });
  });
});
