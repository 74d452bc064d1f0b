import type { Pacer } from '../adapters/pacer.js';
import type { RunWatchTable } from '../adapters/run-watches.js';
import { backgroundRate, INGEST_HORIZON_SECONDS, PACED_THROTTLES_EXCEEDED, PACED_THROTTLES_MAX } from '../core/pacer.js';
import type { ProviderQuotas } from '../core/provider-quotas.js';
import { RUN_DEADLINE_SECONDS } from '../core/run-watches.js';
import type { TurnAnswer, TurnTask } from '../core/tagging-run.js';
import { logger } from '../runtime/logger.js';

export interface TurnDeps {
  pacer: Pick<Pacer, 'take'>;
  watches: Pick<RunWatchTable, 'extend'>;
  quotas: ProviderQuotas;
  now?: () => Date;
}

/** The provider throttled a paced extension PACED_THROTTLES_MAX times: it goes on unpaced (the state machine catches this). */
export class PacedThrottlesExceeded extends Error {
  constructor(name: string, throttles: number) {
    super(`${name} was throttled ${throttles} times at its paced turns: is AITAGS_REKOGNITION_TPS or AITAGS_VISION_RPM above the real quota?`);
    this.name = PACED_THROTTLES_EXCEEDED;
  }
}

/** A wait longer than this moves the run's deadline (shorter ones fit in the deadline's margin). */
const EXTEND_WATCH_AFTER_MS = 60_000;

/**
 * One extension of an ingested object takes its turn at its provider's background pacer: a turn within
 * INGEST_HORIZON_SECONDS (the state machine waits for it, then tags), else a place in line and when to ask
 * again. A run that waits long is not lost: its watch's deadline moves past the wait.
 */
export async function takeTurn(task: TurnTask, deps: TurnDeps): Promise<TurnTask & { turn: TurnAnswer }> {
  const nowMs = (deps.now ?? (() => new Date()))().getTime();
  const { name } = task.extension;
  const throttles = (task.turn?.throttles ?? 0) + (task.turn?.throttled === undefined ? 0 : 1);
  if (throttles > PACED_THROTTLES_MAX) {
    logger.warn('Throttled at every paced turn: going on unpaced', { throttles });
    throw new PacedThrottlesExceeded(name, throttles);
  }
  const turn = await deps.pacer.take(name, backgroundRate(name, deps.quotas), nowMs, {
    horizonMs: INGEST_HORIZON_SECONDS * 1000,
    ticket: task.turn?.ticket,
    inLine: task.turn?.inLine,
  });
  if ('beyondHorizon' in turn) return { ...task, turn: { beyondHorizon: true, throttles } };
  const until = 'at' in turn ? turn.at : turn.askAgainAt;
  if (until - nowMs > EXTEND_WATCH_AFTER_MS) {
    await deps.watches.extend(task.runId, new Date(until + RUN_DEADLINE_SECONDS * 1000).toISOString());
  }
  if ('at' in turn) return { ...task, turn: { at: new Date(turn.at).toISOString(), throttles } };
  logger.info('Ingested object waits in line for its provider', { ticket: turn.ticket, askAgainAt: new Date(until).toISOString() });
  return { ...task, turn: { askAgainAt: new Date(until).toISOString(), ticket: turn.ticket, throttles } };
}
