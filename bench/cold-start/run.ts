import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, arch as osArch, platform as osPlatform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { childEnvironment, INVOCATION_OVERRIDES, LAMBDA_DEFAULTS, standInVariables } from './environment.js';
import { expectFloorCalls, type Fixture, floorEvent, type Invocation, outcomeOf, prepareInvocations, smallJpeg, writeFloorProbe } from './events.js';
import { bannerOf, buildFloor, CLIENTS_BY_ENTRY, type Client, REFERENCES, type ReferenceName } from './floors.js';
import { SECRET_VALUES, startLocalServices } from './local-services.js';
import { coldRun, roundRobin } from './measure.js';
import { type ColdStartReport, compare, type FunctionRow, kb, type ReferenceRow, reportNotes, type Timing, timing } from './report.js';
import { DEPLOYED_VALUES, runnableDir, type SynthesizedFunction, synthesize } from './synthesized-functions.js';

export { type ColdStartReport, coldStartLine, formatColdStartTable } from './report.js';

export interface ColdStartOptions {
  /** Fresh processes per bundle and phase (the median is reported); at least 3. Defaults to 5. */
  runs?: number;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

/** A bundle measured: a function, the floor of one, or a reference. */
interface Subject {
  id: string;
  kind: 'function' | 'floor' | 'reference';
  dir: string;
  /** index.mjs as built (the deployed one, for functions). */
  indexBytes: number;
  clients: readonly Client[];
  functionName: string;
  memoryMb: number;
  /** The template variables (Lambda's defaults, for references). */
  variables: Record<string, string>;
  /** The function whose overrides apply (its floor's too); undefined for references. */
  entry: string | undefined;
  importMs: number[];
  firstCallMs: number[];
  error: string | undefined;
  /** What the last first call returned, in a few words. */
  outcome: string | undefined;
}

const SECRET_VARIABLES = ['AITAGS_PRIVATE_KEY_SECRET_ARN', 'AITAGS_VISION_CREDENTIALS_SECRET_ARN', 'AITAGS_WEBHOOK_SECRET_ARN'] as const;

/**
 * The cold-start table: every function of the synthesized template, its bundle size, and its cold
 * `import()` (alone, and with its first invocation against loopback stand-ins) beside a floor bundle
 * that only constructs the clients it calls, plus reference bundles. Cleans up whatever happens.
 */
export async function coldStartBench(options: ColdStartOptions = {}): Promise<ColdStartReport> {
  // Eleven: on this noisy 2-core machine five processes left floors with the same clients 20 % apart.
  const runs = options.runs ?? 11;
  if (!Number.isInteger(runs) || runs < 3) throw new Error(`runs must be an integer of at least 3 (got ${runs})`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const startedAt = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'aitags-cold-start-'));
  let stopServices: (() => Promise<void>) | undefined;
  try {
    log('cold start: cdk synth (bundles every function)…');
    const functions = await synthesize(join(root, 'cdk.out'));
    checkSpec(functions);
    const banner = await bannerOf(functions.map((fn) => join(fn.assetDir, 'index.mjs')));

    log('cold start: host-arch copies of the sharp bundles, floors and references (esbuild)…');
    const subjects = await prepareSubjects(functions, banner, root);
    const scratch = join(root, 'scratch');
    await mkdir(scratch);
    const failed = (subject: Subject, error: unknown) => {
      subject.error = error instanceof Error ? error.message : String(error);
      log(`cold start: ${subject.id} FAILED\n${subject.error}`);
    };

    log(`cold start: import only, ${runs} rounds of ${subjects.length} processes…`);
    await roundRobin(
      subjects,
      runs,
      async (subject) => {
        if (subject.error) return;
        try {
          const result = await coldRun({ ...runOf(subject), environment: childEnvironment(subject.variables), events: [] }, scratch);
          subject.importMs.push(result.importMs);
        } catch (error) {
          failed(subject, error);
        }
      },
      (round) => log(`cold start: import round ${round + 1}/${runs} done`),
    );

    log('cold start: stand-ins, fakes and seeded files…');
    const services = await startLocalServices(join(root, 'data'));
    stopServices = services.stop;
    const invocationEnvironment = (subject: Subject) =>
      childEnvironment({
        ...subject.variables,
        ...standInVariables(services.endpoints),
        ...(subject.entry ? INVOCATION_OVERRIDES[subject.entry]?.variables : undefined),
      });
    const upload = subjects.find((subject) => subject.kind === 'function' && subject.entry === 'upload');
    if (!upload || upload.error) throw new Error(`the upload bundle seeds the files the events need, and it did not load: ${upload?.error}`);
    const fixture: Fixture = {
      ...services,
      privateKey: SECRET_VALUES.privateKey,
      jpeg: await smallJpeg(),
      uploadRun: {
        ...runOf(upload),
        environment: { ...invocationEnvironment(upload), AITAGS_SYNC_WINDOW_MS: '0', AITAGS_ALLOW_PRIVATE_WEBHOOKS: 'true' },
      },
      scratchDir: scratch,
    };
    await writeFloorProbe(fixture);
    const measured = subjects.filter((subject) => subject.kind === 'function' && !subject.error).flatMap((subject) => subject.entry ?? []);
    const invocations = await prepareInvocations(fixture, measured, runs);
    const probeOf = (subject: Subject): Invocation => {
      const secret = SECRET_VARIABLES.map((name) => subject.variables[name]).find(Boolean) ?? DEPLOYED_VALUES.AITAGS_PRIVATE_KEY_SECRET_ARN;
      return { event: floorEvent(fixture, DEPLOYED_VALUES.AITAGS_STATE_MACHINE_ARN, secret), check: expectFloorCalls(subject.clients.length) };
    };

    log(`cold start: import + first invocation, ${runs} rounds…`);
    await roundRobin(
      subjects,
      runs,
      async (subject, round) => {
        if (subject.error) return;
        const invocation = subject.kind === 'function' ? invocations.get(subject.entry ?? '')?.[round] : probeOf(subject);
        try {
          if (!invocation) throw new Error('no event prepared');
          const result = await coldRun({ ...runOf(subject), environment: invocationEnvironment(subject), events: [invocation.event] }, scratch);
          const problem = invocation.check(result.results[0]) ?? (await invocation.verify?.());
          if (problem) throw new Error(`first invocation did not do its job: ${problem}`);
          subject.firstCallMs.push(result.totalMs);
          subject.outcome = outcomeOf(result.results[0]);
        } catch (error) {
          failed(subject, error);
        }
      },
      (round) => log(`cold start: invocation round ${round + 1}/${runs} done`),
    );

    return buildReport(subjects, functions, runs, performance.now() - startedAt);
  } finally {
    await stopServices?.().catch((error: unknown) => log(`cold start: stopping the local services failed: ${String(error)}`));
    await rm(root, { recursive: true, force: true });
  }
}

/** Every function in the template must be in the spec, and the other way round: none goes unmeasured. */
function checkSpec(functions: readonly SynthesizedFunction[]): void {
  const unknown = functions.filter((fn) => !CLIENTS_BY_ENTRY[fn.entry]).map((fn) => fn.entry);
  if (unknown.length) {
    throw new Error(
      `the template has functions the cold-start bench does not know: ${unknown.join(', ')}; add them to CLIENTS_BY_ENTRY in bench/cold-start/floors.ts (and an event to events.ts)`,
    );
  }
  const gone = Object.keys(CLIENTS_BY_ENTRY).filter((entry) => !functions.some((fn) => fn.entry === entry));
  if (gone.length) throw new Error(`CLIENTS_BY_ENTRY in bench/cold-start/floors.ts names functions the template no longer has: ${gone.join(', ')}`);
}

/** Each function (its host-arch copy when it ships sharp) followed by its floor, then the references. */
async function prepareSubjects(functions: readonly SynthesizedFunction[], banner: string, root: string): Promise<Subject[]> {
  const fresh = { importMs: [], firstCallMs: [], error: undefined, outcome: undefined };
  const subjects: Subject[] = [];
  for (const fn of functions) {
    const clients = CLIENTS_BY_ENTRY[fn.entry] ?? [];
    const shared = { clients, memoryMb: fn.memoryMb, variables: fn.environment, entry: fn.entry };
    const dir = await runnableDir(fn, join(root, 'host'));
    subjects.push({
      ...shared,
      ...structuredClone(fresh),
      id: fn.entry,
      kind: 'function',
      dir,
      indexBytes: fn.indexBytes,
      functionName: `aitags-${fn.entry}`,
    });
    const floor = await buildFloor(fn.entry, clients, banner, join(root, 'floors', fn.entry));
    subjects.push({
      ...shared,
      ...structuredClone(fresh),
      id: `floor of ${fn.entry}`,
      kind: 'floor',
      dir: floor.dir,
      indexBytes: floor.indexBytes,
      functionName: `floor-${fn.entry}`,
    });
  }
  for (const name of Object.keys(REFERENCES) as ReferenceName[]) {
    const { clients } = REFERENCES[name];
    const built = await buildFloor(name, clients, banner, join(root, 'references', name));
    subjects.push({
      ...structuredClone(fresh),
      id: name,
      kind: 'reference',
      dir: built.dir,
      indexBytes: built.indexBytes,
      clients,
      functionName: `reference-${name}`,
      memoryMb: 1024,
      variables: { ...LAMBDA_DEFAULTS },
      entry: undefined,
    });
  }
  return subjects;
}

const runOf = (subject: Subject) => ({ dir: subject.dir, functionName: subject.functionName, memoryMb: subject.memoryMb });

const timingOf = (subject: Subject | undefined, phase: 'importMs' | 'firstCallMs'): Timing | null =>
  subject && !subject.error && subject[phase].length ? timing(subject[phase]) : null;

function buildReport(subjects: readonly Subject[], functions: readonly SynthesizedFunction[], runs: number, durationMs: number): ColdStartReport {
  const find = (kind: Subject['kind'], id: string) => subjects.find((subject) => subject.kind === kind && subject.id === id);
  const bareVision = find('reference', 'bare-vision');
  const functionRows: FunctionRow[] = functions.map((fn) => {
    const subject = find('function', fn.entry);
    const floor = find('floor', `floor of ${fn.entry}`);
    const clients = [...(CLIENTS_BY_ENTRY[fn.entry] ?? [])];
    const comparison = (phase: 'importMs' | 'firstCallMs') => {
      const own = timingOf(subject, phase);
      const base = timingOf(floor, phase);
      return own && base ? compare(clients, own, base, timingOf(bareVision, phase)) : null;
    };
    const errors = [subject?.error, floor?.error && `its floor: ${floor.error}`].filter(Boolean);
    return {
      entry: fn.entry,
      indexKb: kb(fn.indexBytes),
      nodeModulesKb: fn.nodeModulesBytes === undefined ? null : kb(fn.nodeModulesBytes),
      floor: { clients, indexKb: floor ? kb(floor.indexBytes) : 0 },
      importOnly: comparison('importMs'),
      firstCall: comparison('firstCallMs'),
      firstCallOutcome: subject?.outcome ?? null,
      error: errors.length ? errors.join('\n') : null,
    };
  });
  const referenceRows: ReferenceRow[] = (Object.keys(REFERENCES) as ReferenceName[]).map((name) => {
    const subject = find('reference', name);
    return {
      name,
      about: REFERENCES[name].about,
      clients: [...REFERENCES[name].clients],
      indexKb: subject ? kb(subject.indexBytes) : 0,
      importOnly: timingOf(subject, 'importMs'),
      firstCall: timingOf(subject, 'firstCallMs'),
      firstCallOutcome: subject?.outcome ?? null,
      error: subject?.error ?? null,
    };
  });
  const failed = [...functionRows.map((row) => ({ name: row.entry, error: row.error })), ...referenceRows].flatMap((row) =>
    row.error ? [`${row.name}: ${row.error}`] : [],
  );
  const machineCpus = cpus();
  return {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpuModel: machineCpus[0]?.model ?? 'unknown',
      cpus: machineCpus.length,
      platform: osPlatform(),
      arch: osArch(),
    },
    runs,
    durationMs: Math.round(durationMs),
    functions: functionRows,
    references: referenceRows,
    allMet: failed.length === 0 && functionRows.every((row) => row.importOnly?.met && row.firstCall?.met),
    failed,
    notes: reportNotes(functions.filter((fn) => fn.nodeModulesBytes !== undefined).map((fn) => fn.entry)),
  };
}
