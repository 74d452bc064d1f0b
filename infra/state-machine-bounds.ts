/**
 * The worst case of a path through an Amazon States Language definition, read from the synthesized
 * definition itself: every retrier a state has (the ones CDK adds included — they are in the definition),
 * each attempt taking its whole time, each wait its whole cap. Used to keep a tagging job's per-file path
 * inside its Express child's 5 minutes (test/infra/job-file-bounds.test.ts).
 */

/** One retrier as ASL writes it; omitted fields take the language's defaults. */
export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

/** The fields of a state that the bound reads. */
export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Retry?: AslRetrier[];
  Catch?: Array<{ Next: string }>;
  TimeoutSeconds?: number;
  Seconds?: number;
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
  [field: string]: unknown;
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
}

/** What the definition alone cannot tell: how long one attempt of a task may take, and a timestamp wait. */
export interface PathLimits {
  /** Seconds one attempt of this Task may take when it has no TimeoutSeconds (e.g. its Lambda's timeout). */
  taskSeconds(name: string, state: AslState): number;
  /** Seconds a Wait on a path or timestamp may wait (the code that sets it bounds it). */
  waitSeconds(name: string, state: AslState): number;
}

const ASL_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/** The longest all of a state's retriers may wait, and how many attempts they add. */
export function retryBound(retriers: readonly AslRetrier[]): { retries: number; waitSeconds: number } {
  let retries = 0;
  let waitSeconds = 0;
  for (const retrier of retriers) {
    const attempts = retrier.MaxAttempts ?? ASL_DEFAULTS.MaxAttempts;
    const interval = retrier.IntervalSeconds ?? ASL_DEFAULTS.IntervalSeconds;
    const backoff = retrier.BackoffRate ?? ASL_DEFAULTS.BackoffRate;
    // Each retrier counts its own attempts: an error matching only one uses only its budget, but the worst
    // case is every retrier spent in turn.
    retries += attempts;
    for (let retry = 0; retry < attempts; retry++) {
      waitSeconds += Math.min(retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY, interval * backoff ** retry);
    }
  }
  return { retries, waitSeconds };
}

/** One state's own worst case: its attempts and waits, or a nested machine's longest path. */
function stateSeconds(name: string, state: AslState, limits: PathLimits): number {
  switch (state.Type) {
    case 'Task': {
      const attempt = Math.min(state.TimeoutSeconds ?? Number.POSITIVE_INFINITY, limits.taskSeconds(name, state));
      const { retries, waitSeconds } = retryBound(state.Retry ?? []);
      return (1 + retries) * attempt + waitSeconds;
    }
    case 'Wait':
      return state.Seconds ?? limits.waitSeconds(name, state);
    case 'Map': {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (!processor) throw new Error(`Map state '${name}' has no ItemProcessor`);
      // Items run side by side (no MaxConcurrency below their number here): the slowest one's time.
      const { retries, waitSeconds } = retryBound(state.Retry ?? []);
      return (1 + retries) * worstCaseSeconds(processor, limits) + waitSeconds;
    }
    case 'Parallel':
      return Math.max(0, ...(state.Branches ?? []).map((branch) => worstCaseSeconds(branch, limits)));
    default:
      return 0;
  }
}

/** Where a state may go next: its Next, a Choice's branches and Default, a Catch's targets. */
function successors(state: AslState): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((choice) => choice.Next), ...(state.Catch ?? []).map((c) => c.Next)].filter(
    (next): next is string => next !== undefined,
  );
}

/**
 * The longest any path from StartAt to an end may take, in seconds. A definition with a loop has no
 * bound: it throws, naming the state.
 */
export function worstCaseSeconds(machine: AslMachine, limits: PathLimits): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const from = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const state = machine.States[name];
    if (!state) throw new Error(`No state '${name}'`);
    if (visiting.has(name)) throw new Error(`The path loops through '${name}': it has no worst case`);
    visiting.add(name);
    const total = stateSeconds(name, state, limits) + Math.max(0, ...successors(state).map(from));
    visiting.delete(name);
    memo.set(name, total);
    return total;
  };
  return from(machine.StartAt);
}
