import { INVOCATION_OVERRIDES } from './environment.js';
import type { Client } from './floors.js';

export interface Machine {
  node: string;
  cpuModel: string;
  cpus: number;
  platform: string;
  arch: string;
}

export interface Timing {
  medianMs: number;
  samplesMs: number[];
}

export type TargetKind = 'floor' | 'absolute' | 'bare-vision';

export interface Target {
  kind: TargetKind;
  /** e.g. `≤ 1.2 × floor` */
  label: string;
  limitMs: number;
  /** The function's median over what the target compares it with (the floor, 30 ms, or bare Vision). */
  ratio: number;
  met: boolean;
}

export interface Comparison {
  function: Timing;
  floor: Timing;
  /** function median / floor median */
  ratio: number;
  targets: Target[];
  met: boolean;
}

export interface FunctionRow {
  entry: string;
  indexKb: number;
  nodeModulesKb: number | null;
  floor: { clients: Client[]; indexKb: number };
  /** `await import()` alone, with the template environment. */
  importOnly: Comparison | null;
  /** The import and the first handler call, against the stand-ins. */
  firstCall: Comparison | null;
  /** What the last measured first call returned, e.g. `HTTP 200` or `success, 7 tags`. */
  firstCallOutcome: string | null;
  /** Why the row has no numbers (the bundle did not load, or a first call failed). */
  error: string | null;
}

export interface ReferenceRow {
  name: string;
  about: string;
  clients: Client[];
  indexKb: number;
  importOnly: Timing | null;
  firstCall: Timing | null;
  firstCallOutcome: string | null;
  error: string | null;
}

export interface ColdStartReport {
  date: string;
  machine: Machine;
  runs: number;
  durationMs: number;
  functions: FunctionRow[];
  references: ReferenceRow[];
  /** Every row measured, every target met. */
  allMet: boolean;
  failed: string[];
  notes: string[];
}

export const FLOOR_FACTOR = 1.2;
export const NO_SDK_LIMIT_MS = 30;
export const BARE_VISION_FACTOR = 1.5;

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
export const kb = (bytes: number) => Math.round(bytes / 1024);

export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  if (value === undefined || sorted.length === 0) throw new Error('median of no samples');
  return value;
}

export const timing = (samples: readonly number[]): Timing => ({ medianMs: round1(median(samples)), samplesMs: samples.map(round1) });

/**
 * The targets of one function: a function that calls no SDK gets 30 ms absolute; every other one 1.2 ×
 * its floor; the Vision tagger also 1.5 × the bare Vision client.
 */
export function compare(clients: readonly Client[], fn: Timing, floor: Timing, bareVision: Timing | null): Comparison {
  const targets: Target[] = [];
  const target = (kind: TargetKind, label: string, limitMs: number, base: number) =>
    targets.push({ kind, label, limitMs: round1(limitMs), ratio: round2(fn.medianMs / base), met: fn.medianMs <= limitMs });
  if (clients.length === 0) target('absolute', `≤ ${NO_SDK_LIMIT_MS} ms`, NO_SDK_LIMIT_MS, NO_SDK_LIMIT_MS);
  else target('floor', `≤ ${FLOOR_FACTOR} × floor`, FLOOR_FACTOR * floor.medianMs, floor.medianMs);
  if (clients.includes('vision') && bareVision) {
    target('bare-vision', `≤ ${BARE_VISION_FACTOR} × bare Vision`, BARE_VISION_FACTOR * bareVision.medianMs, bareVision.medianMs);
  }
  return { function: fn, floor, ratio: round2(fn.medianMs / floor.medianMs), targets, met: targets.every((item) => item.met) };
}

const CLIENT_SHORT: Record<Client, string> = {
  dynamodb: 'ddb-doc',
  s3: 's3',
  presigner: 'presign',
  sfn: 'sfn',
  secrets: 'secrets',
  rekognition: 'rekognition',
  vision: 'vision',
  sharp: 'sharp',
};
const clientList = (clients: readonly Client[]) =>
  clients.length ? clients.map((client) => CLIENT_SHORT[client]).join('+') : '(none: empty module)';

type Align = 'left' | 'right';

function textTable(columns: ReadonlyArray<{ title: string; align: Align }>, rows: ReadonlyArray<readonly string[]>): string {
  const cells = [columns.map((column) => column.title), ...rows];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, index) => (columns[index]?.align === 'right' ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = cells;
  return [format(header ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(format)].join('\n');
}

const ms = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
const ratio = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}×`);
const met = (comparison: Comparison | null) => (comparison ? (comparison.met ? 'yes' : 'NO') : '–');

/** The printable table: functions beside their floors, then the reference bundles, machine facts and footnotes. */
export function formatColdStartTable(report: ColdStartReport): string {
  const functionColumns: Array<{ title: string; align: Align }> = [
    { title: 'function', align: 'left' },
    { title: 'index KB', align: 'right' },
    { title: 'node_modules KB', align: 'right' },
    { title: 'floor KB', align: 'right' },
    { title: 'import ms', align: 'right' },
    { title: 'floor ms', align: 'right' },
    { title: 'ratio', align: 'right' },
    { title: 'met', align: 'left' },
    { title: 'import+call ms', align: 'right' },
    { title: 'floor ms', align: 'right' },
    { title: 'ratio', align: 'right' },
    { title: 'met', align: 'left' },
    { title: 'target', align: 'left' },
    { title: 'floor = what the function calls', align: 'left' },
    { title: 'first call returned', align: 'left' },
  ];
  const functionRows = report.functions.map((row) => {
    const targets = (row.importOnly ?? row.firstCall)?.targets.map((target) => target.label).join(' and ') ?? '';
    return [
      row.error ? `${row.entry} (FAILED)` : row.entry,
      String(row.indexKb),
      row.nodeModulesKb === null ? '–' : String(row.nodeModulesKb),
      String(row.floor.indexKb),
      ms(row.importOnly?.function.medianMs),
      ms(row.importOnly?.floor.medianMs),
      ratio(row.importOnly?.ratio),
      met(row.importOnly),
      ms(row.firstCall?.function.medianMs),
      ms(row.firstCall?.floor.medianMs),
      ratio(row.firstCall?.ratio),
      met(row.firstCall),
      targets,
      clientList(row.floor.clients),
      row.firstCallOutcome ?? '–',
    ];
  });
  const referenceRows = report.references.map((row) => [
    row.error ? `${row.name} (FAILED)` : row.name,
    String(row.indexKb),
    ms(row.importOnly?.medianMs),
    ms(row.firstCall?.medianMs),
    row.about,
  ]);
  const extraTargets = report.functions.flatMap((row) =>
    (['importOnly', 'firstCall'] as const).flatMap((phase) =>
      (row[phase]?.targets ?? [])
        .filter((target) => target.kind === 'bare-vision')
        .map(
          (target) =>
            `${row.entry} ${phase === 'importOnly' ? 'import' : 'import+call'}: ${ratio(target.ratio)} bare Vision (target ${target.label}: ${target.met ? 'met' : 'NOT met'})`,
        ),
    ),
  );
  const { machine } = report;
  return [
    `Cold start: median of ${report.runs} fresh node processes per bundle, functions and floors interleaved round-robin`,
    '',
    textTable(functionColumns, functionRows),
    '',
    textTable(
      [
        { title: 'reference', align: 'left' },
        { title: 'index KB', align: 'right' },
        { title: 'import ms', align: 'right' },
        { title: 'import+call ms', align: 'right' },
        { title: 'what it is', align: 'left' },
      ],
      referenceRows,
    ),
    '',
    ...extraTargets,
    ...(extraTargets.length ? [''] : []),
    `${report.functions.filter((row) => row.importOnly?.met && row.firstCall?.met).length} of ${report.functions.length} functions meet their targets (import and import+call)`,
    ...report.failed.map((failure) => `FAILED: ${failure}`),
    `machine: node ${machine.node}, ${machine.cpuModel}, ${machine.cpus} CPUs (${machine.platform}/${machine.arch}); ${report.date}; took ${(report.durationMs / 1000).toFixed(0)} s`,
    ...report.notes.map((note, index) => `[${index + 1}] ${note}`),
  ].join('\n');
}

/** The machine-readable result: one line, greppable by its prefix. */
export const coldStartLine = (report: ColdStartReport) => `COLDSTART ${JSON.stringify(report)}`;

/** The footnotes: how the numbers were taken, and every way the runs differ from the deployed functions. */
export function reportNotes(hostArchVariants: readonly string[]): string[] {
  return [
    "import ms: performance.now() around `await import()` of index.mjs in a fresh `node` (startup excluded), with the function's template environment (tokens given deployed-looking values, NODE_OPTIONS=--enable-source-maps included); floors run with their function's environment.",
    'import+call ms: import and the first handler call in one fresh process, against s3rver, dynalite, the Rekognition and Vision fakes, and Secrets Manager / Step Functions fakes on loopback. Floors make one call per client (GetItem, HeadObject, a presign, StartExecution, GetSecretValue, DetectLabels, images:annotate, sharp metadata).',
    `floor: an esbuild bundle (the options and banner CDK gives the functions) that only constructs the clients the function calls; ratio = function median / floor median. Targets: ≤ ${FLOOR_FACTOR} × floor; ≤ ${NO_SDK_LIMIT_MS} ms for a function that calls no SDK; the Vision tagger also ≤ ${BARE_VISION_FACTOR} × bare Vision.`,
    `index KB is the deployed index.mjs; node_modules KB the shipped node_modules (sharp + @img/*-linux-arm64). Host-arch variant: ${hostArchVariants.join(', ')} ship sharp's linux-arm64 binary, which cannot load on this machine, so they (and the floors that import sharp) are measured from a copy of index.mjs + its source map beside a node_modules that links this repo's own host build of sharp and @img.`,
    ...Object.entries(INVOCATION_OVERRIDES).map(([entry, override]) => `first invocation of ${entry} (and its floor): ${override.why}.`),
    'on-object-created is given an S3 ObjectCreated event for an object under ingest/; its template default extensions are [], so its first call stores the file but starts no Step Functions execution, while its floor does call StartExecution.',
    'Files the events need are seeded by the built upload bundle (one process, not measured); every process that changes or deletes a file gets its own.',
  ];
}
