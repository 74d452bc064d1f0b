import type { ExtensionName } from './extension-names.js';
import type { ProviderQuotas } from './provider-quotas.js';

/**
 * One pacer per provider for the work nobody waits for (docs/architecture.md, "One pacer for background
 * work"): tagging jobs' files and objects written under `ingest/` take turns from the same timeline, so
 * that together they call each provider at most BACKGROUND_QUOTA_SHARE of its quota. Uploads through the
 * API and PATCH take no turn: someone waits for them, and the other 20 % is theirs.
 *
 * The timeline is a virtual clock (GCRA): `next` is when the next turn is free. A turn is taken at
 * max(next, now) and moves `next` one interval (1 / rate) later, so turns never come closer than the
 * interval and an idle pacer lends no burst.
 */

/** The part of each provider's quota background work may use together: the rest stays for interactive uploads. */
export const BACKGROUND_QUOTA_SHARE = 0.8;

/** Calls a second background work may make to the provider that runs `name`. */
export function backgroundRate(name: ExtensionName, quotas: ProviderQuotas): number {
  return (name === 'aws-auto-tagging' ? quotas.rekognitionTps : quotas.visionRpm / 60) * BACKGROUND_QUOTA_SHARE;
}

/** Milliseconds between two turns at `rate` calls a second. */
export const turnIntervalMs = (rate: number) => 1000 / rate;

/**
 * How far ahead an ingested object may hold its turn. An object further back waits in line (a Wait state
 * of its Standard execution, then asks again) instead of booking a turn minutes away, so that a bulk copy
 * under `ingest/` never books the timeline so far ahead that a job's file — whose Express child may wait
 * JOB_TURN_MAX_WAIT_SECONDS at most — could not get a turn in time.
 */
export const INGEST_HORIZON_SECONDS = 20;

/**
 * The longest a job's file waits for its turn: its Express child ends within 5 minutes, and the per-file
 * path's worst case (infra/state-machine-bounds.ts) counts this wait. The turn it booked stays booked.
 */
export const JOB_TURN_MAX_WAIT_SECONDS = 30;

/** A waiting object asks again at least this soon, and never later than this. */
export const MIN_ASK_AGAIN_SECONDS = 1;
export const MAX_ASK_AGAIN_SECONDS = 15 * 60;

/** The pacer's state for one provider, as stored. */
export interface PacerState {
  /** When the next turn is free (epoch ms). */
  next: number;
  /** Tickets handed to objects sent to wait in line, and how many of them got their turn since. */
  tickets: number;
  served: number;
}

/**
 * A turn: call the provider at `at` (epoch ms); or wait in line with `ticket` and ask again at `askAgainAt`;
 * or (asked without a place in line) none within the horizon.
 */
export type Turn = { at: number } | { askAgainAt: number; ticket: number } | { beyondHorizon: true };

/**
 * When an object sent to wait in line asks again: when the turns booked ahead of the horizon have come,
 * plus one interval for each waiting object ahead of it (their tickets are lower), so that the line asks
 * one at a time instead of all at once. Lost tickets (an execution that never asks again) only make the
 * estimate late, never early; the pacer forgets them whenever it goes idle.
 */
export function askAgainAt(state: PacerState, ticket: number, rate: number, nowMs: number): number {
  const ahead = Math.max(0, ticket - state.served - 1);
  const at = state.next - INGEST_HORIZON_SECONDS * 1000 + ahead * turnIntervalMs(rate);
  return Math.min(Math.max(at, nowMs + MIN_ASK_AGAIN_SECONDS * 1000), nowMs + MAX_ASK_AGAIN_SECONDS * 1000);
}

/** A job's file waits for its turn, but no longer than JOB_TURN_MAX_WAIT_SECONDS. */
export function jobFileWaitUntil(turns: readonly number[], nowMs: number): number {
  return Math.min(Math.max(nowMs, ...turns), nowMs + JOB_TURN_MAX_WAIT_SECONDS * 1000);
}

/**
 * How often the provider may throttle one paced extension (each time it takes a new turn) before it goes
 * on unpaced, with its tagger's own throttling retries: a quota set above the provider's real one would
 * otherwise keep it taking turns for ever.
 */
export const PACED_THROTTLES_MAX = 10;
/** What "Take a turn" throws past PACED_THROTTLES_MAX. */
export const PACED_THROTTLES_EXCEEDED = 'PacedThrottlesExceeded';
