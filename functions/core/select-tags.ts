import type { Extension } from './extensions.js';
import type { AITag } from './file-record.js';

/** One label as a provider adapter reports it: `confidence` is a percentage, not yet rounded. */
export interface Label {
  name: string;
  confidence: number;
}

/** A provider's percentage, rounded half away from zero to 2 decimals and kept within 0–100. */
export function roundConfidence(confidence: number): number {
  const clamped = Math.min(100, Math.max(0, confidence));
  return Math.round(Number(`${clamped.toFixed(10)}e2`)) / 100;
}

const byConfidenceThenName = (a: { name: string; confidence: number }, b: { name: string; confidence: number }) =>
  b.confidence - a.confidence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Labels a provider returned → the tags one extension run keeps: rounded, at least `minConfidence`,
 * one per name case-insensitively (the most confident), ordered by confidence then name, at most `maxTags`.
 */
export function selectTags(labels: readonly Label[], extension: Extension): AITag[] {
  const seen = new Set<string>();
  return labels
    .map((label) => ({ name: label.name.trim(), confidence: roundConfidence(label.confidence) }))
    .filter((label) => label.name !== '' && Number.isFinite(label.confidence) && label.confidence >= extension.minConfidence)
    .sort(byConfidenceThenName)
    .filter((label) => {
      const key = label.name.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, extension.maxTags)
    .map((label) => ({ ...label, source: extension.name }));
}
