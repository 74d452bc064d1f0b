import type { Extension } from './extensions.js';
import type { ExtensionName } from './extension-names.js';
import type { AITag } from './file-record.js';
import { oversizedTagBytes } from './table-keys.js';

/** One label as a provider adapter reports it: `confidence` is a percentage, not yet rounded. */
export interface Label {
  name: string;
  confidence: number;
  /** Other names the provider gives the same label (Rekognition's `Aliases`). */
  aliases?: readonly string[];
  /**
   * The provider's categories for it (Rekognition's `Categories`, e.g. "Animals and Pets"); undefined for a
   * provider that has none (Vision), to which category filters do not apply.
   */
  categories?: readonly string[];
}

/** The library's tag policy: what a run keeps of the providers' labels, and under which names. */
export interface TagPolicy {
  exclude: readonly string[];
  include: readonly string[];
  excludeCategories: readonly string[];
  includeCategories: readonly string[];
  /** Provider label → the team's tag. */
  synonyms: Readonly<Record<string, string>>;
}

export const EMPTY_TAG_POLICY: TagPolicy = { exclude: [], include: [], excludeCategories: [], includeCategories: [], synonyms: {} };

/** What steers one run's tags besides the extension's own settings. */
export interface TagSteering {
  policy: TagPolicy;
  /** The file's rejected AI tag names: no run keeps a tag of one of these names (after synonyms). */
  rejected: readonly string[];
}

/** No policy, no rejections: the providers' labels by the extension's settings alone. */
export const NO_STEERING: TagSteering = { policy: EMPTY_TAG_POLICY, rejected: [] };

/** A provider's percentage, rounded half away from zero to 2 decimals and kept within 0–100. */
export function roundConfidence(confidence: number): number {
  const clamped = Math.min(100, Math.max(0, confidence));
  return Math.round(Number(`${clamped.toFixed(10)}e2`)) / 100;
}

const key = (name: string) => name.trim().toLowerCase();
const lookup = (names: readonly string[]) => new Set(names.map(key));

const byConfidenceThenName = (a: { name: string; confidence: number }, b: { name: string; confidence: number }) =>
  b.confidence - a.confidence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The labels a provider returned → the tags one extension run keeps. Each label gets the team's name
 * (`synonyms`) and is kept or dropped by its own names — its provider name, the team's name and its
 * aliases: `include` (when non-empty, one of them listed), `exclude` (none listed), categories (only for
 * labels that have them); then labels renamed onto one name merge, the most confident kept, and the
 * file's rejected names, `minConfidence`, one per name case-insensitively, the order (confidence, then
 * name) and `maxTags` (of the tags that survive) apply. A label whose name is longer than a tag may be
 * (MAX_TAG_BYTES) is dropped.
 */
export function decideTags(labels: readonly Label[], extension: Extension, steering: TagSteering = NO_STEERING): AITag[] {
  const { policy } = steering;
  const synonyms = new Map(Object.entries(policy.synonyms).map(([source, target]) => [key(source), target.trim()]));
  const include = lookup(policy.include);
  const exclude = lookup(policy.exclude);
  const includeCategories = lookup(policy.includeCategories);
  const excludeCategories = lookup(policy.excludeCategories);
  const rejected = lookup(steering.rejected);
  const anyIn = (names: Set<string>, candidates: Iterable<string>) => [...candidates].some((name) => names.has(name));

  const kept = new Map<string, { name: string; confidence: number }>();
  for (const label of labels) {
    const providerName = label.name.trim();
    const confidence = roundConfidence(label.confidence);
    if (providerName === '' || !Number.isFinite(confidence)) continue;
    const name = synonyms.get(key(providerName)) ?? providerName;
    // Too long for the index to key: a write holding it would be refused on every retry, and no search could name it.
    if (oversizedTagBytes(name) !== undefined) continue;
    const names = [key(providerName), key(name), ...(label.aliases ?? []).map(key)];
    const categories = label.categories?.map(key);
    if (include.size > 0 && !anyIn(include, names)) continue;
    if (anyIn(exclude, names)) continue;
    if (categories && includeCategories.size > 0 && !anyIn(includeCategories, categories)) continue;
    if (categories && anyIn(excludeCategories, categories)) continue;
    if (rejected.has(key(name)) || confidence < extension.minConfidence) continue;
    const same = kept.get(key(name));
    if (!same || byConfidenceThenName({ name, confidence }, same) < 0) kept.set(key(name), { name, confidence });
  }
  return [...kept.values()]
    .sort(byConfidenceThenName)
    .slice(0, extension.maxTags)
    .map((tag) => ({ ...tag, source: extension.name }));
}

/**
 * A file's stored AI tags re-decided with no provider call: for each extension that has tags, by its
 * policy and the file's `rejected` names; the stored tags are the labels (they carry no aliases or
 * categories). Other sources stay.
 */
export function reappliedAITags(
  aiTags: Partial<Record<ExtensionName, AITag[]>>,
  runs: readonly { extension: Extension; policy: TagPolicy }[],
  rejected: readonly string[],
): Partial<Record<ExtensionName, AITag[]>> {
  const next = { ...aiTags };
  for (const { extension, policy } of runs) {
    const stored = aiTags[extension.name];
    if (stored) next[extension.name] = decideTags(stored, extension, { policy, rejected });
  }
  return next;
}
