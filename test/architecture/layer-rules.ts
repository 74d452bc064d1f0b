import type { IForbiddenRuleType } from 'dependency-cruiser';

const SDKS = 'node_modules/(@aws-sdk|@google-cloud|google-gax|sharp|file-type|standardwebhooks)/';
const HANDLERS = '^functions/[^/]+[.]ts$';

/**
 * The layering of functions/ (README, "Layout"): dependencies point down only —
 * handlers → wiring → services → adapters, http/, task/ → core and runtime — and never out to infra/ or local/.
 */
export const LAYER_RULES: IForbiddenRuleType[] = [
  { name: 'no-circular', comment: 'No import circles, type-only ones included.', severity: 'error', from: {}, to: { circular: true } },
  {
    name: 'functions-stand-alone',
    comment: 'Running code never depends on the CDK app or the local runtime.',
    severity: 'error',
    from: { path: '^functions/' },
    to: { path: '^(infra|local|bench|test)/' },
  },
  {
    name: 'handlers-are-entry-points',
    comment: 'Nothing imports a Lambda entry point: the root of functions/ holds handlers only.',
    severity: 'error',
    from: { path: '^functions/' },
    to: { path: HANDLERS },
  },
  {
    name: 'core-is-pure',
    comment: 'Core imports only core (and pure packages): no adapters, no SDKs, no logger.',
    severity: 'error',
    from: { path: '^functions/core/' },
    to: { pathNot: ['^functions/core/', '^node_modules/(zod|ipaddr[.]js)/'], dependencyTypesNot: ['core'] },
  },
  {
    name: 'runtime-below-everything-but-core',
    severity: 'error',
    from: { path: '^functions/runtime/' },
    to: { path: '^functions/(adapters|services|wiring|http|task)/' },
  },
  {
    name: 'services-use-adapter-interfaces',
    comment: 'Services orchestrate over adapter interfaces: type-only imports of adapters, no SDKs.',
    severity: 'error',
    from: { path: '^functions/services/' },
    to: { path: '^functions/adapters/', dependencyTypesNot: ['type-only'] },
  },
  { name: 'services-no-sdk', severity: 'error', from: { path: '^functions/services/' }, to: { path: SDKS } },
  {
    name: 'services-not-up',
    severity: 'error',
    from: { path: '^functions/services/' },
    to: { path: '^functions/(wiring|http|task)/' },
  },
  {
    name: 'adapters-not-up',
    severity: 'error',
    from: { path: '^functions/adapters/' },
    to: { path: '^functions/(services|wiring|http|task)/' },
  },
  {
    name: 'http-and-task-not-up',
    comment: 'The middy stacks know the request, not what serves it.',
    severity: 'error',
    from: { path: '^functions/(http|task)/' },
    to: { path: '^functions/(adapters|services|wiring)/' },
  },
  { name: 'wiring-not-up', severity: 'error', from: { path: '^functions/wiring/' }, to: { path: '^functions/(http|task)/' } },
  {
    name: 'sdks-in-adapters-only',
    comment: 'Only adapters touch an SDK or a native module.',
    severity: 'error',
    from: { path: '^functions/', pathNot: '^functions/adapters/' },
    to: { path: SDKS },
  },
];
