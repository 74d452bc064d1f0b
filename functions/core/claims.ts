/**
 * Claims: an Express execution runs at least once, so two executions of one run (same run id, same input)
 * may tag the same extension and deliver the same webhook. Each effect is claimed first with a
 * conditional write; the claim's owner is the execution, stable across the retries of its tasks.
 */

/**
 * How long an extension's claim stands after its owner last took it: an Express execution lives at most
 * 5 minutes, so a claim this old belongs to an execution that ended (or died) — a later duplicate may take
 * it over. Each attempt of the owner takes it again, so a Standard run retrying for longer keeps it.
 */
export const EXTENSION_CLAIM_SECONDS = 300;

/**
 * How long a webhook attempt's claim stands: one attempt takes at most deliver-webhook's 20 s timeout;
 * past this, a claimant that never recorded its attempt died, and the attempt may be made once more.
 */
export const WEBHOOK_CLAIM_SECONDS = 60;

/**
 * Who claims for a task: its execution (`$$.Execution.Id`, passed in by the Map's item selector: unique per
 * execution, even for two Express executions started under one name). Without it — a job's file, whose
 * item selector does not carry it, or an execution started before it did — every execution of the run
 * is one owner, which is how such runs behaved before claims: nothing is refused, nothing is lost.
 */
export const claimOwner = (task: { runId: string; execution?: string }): string => task.execution ?? `run:${task.runId}`;

/** What a claim answers: taken (or taken again by its owner), or held by another owner until `expiresAtMs`. */
export type ClaimAnswer = { claimed: true } | { claimed: false; owner: string; expiresAtMs: number };

/**
 * Whether an attempt may be made: claimed for its owner, or why not — the delivery is final (`delivered`,
 * `failed`), the attempt was made already (`attempted`, by `owner`), or another owner is making it or a
 * later one (`claimed`).
 */
export type AttemptClaim = { claimed: true } | AttemptRefusal;
export type AttemptRefusal = { claimed: false; reason: 'delivered' | 'failed' } | { claimed: false; reason: 'attempted' | 'claimed'; owner: string };

/** Why attempt `attempt` was refused, from the delivery item as it stood (`state`, `attempts`, `claim`). */
export function attemptRefused(held: { state?: unknown; attempts?: unknown; claim?: unknown }, attempt: number): AttemptRefusal {
  if (held.state === 'delivered' || held.state === 'failed') return { claimed: false, reason: held.state };
  const claim = (held.claim ?? {}) as { owner?: unknown };
  const attempted = Array.isArray(held.attempts) && held.attempts.length >= attempt;
  return { claimed: false, reason: attempted ? 'attempted' : 'claimed', owner: String(claim.owner) };
}
