import { EXTENSION_NAMES, type ExtensionName } from '../functions/core/extension-names.js';
import type { FileObject } from './api.js';

type AITag = NonNullable<FileObject['AITags']>[number];

/** One AI tag name, whichever extensions found it, with each one's confidence. */
export interface MergedAITag {
  /** As the first source that found it wrote it (sources may differ in case: "cat" and "Cat" are one tag). */
  name: string;
  /** In the extensions' order; at most one per source. */
  sources: Array<{ source: ExtensionName; confidence: number }>;
}

const rank = (source: ExtensionName) => EXTENSION_NAMES.indexOf(source);
const best = (tag: MergedAITag) => Math.max(...tag.sources.map((each) => each.confidence));

/**
 * One chip per AI tag name, compared as search compares AI tags (ignoring case): the most confident first,
 * then by name. A source that reports a name twice keeps its higher confidence.
 */
export function mergeAITags(tags: readonly AITag[]): MergedAITag[] {
  const byName = new Map<string, MergedAITag>();
  for (const tag of [...tags].sort((a, b) => rank(a.source) - rank(b.source))) {
    const key = tag.name.toLowerCase();
    const merged = byName.get(key) ?? { name: tag.name, sources: [] };
    byName.set(key, merged);
    const same = merged.sources.find((each) => each.source === tag.source);
    if (!same) merged.sources.push({ source: tag.source, confidence: tag.confidence });
    else same.confidence = Math.max(same.confidence, tag.confidence);
  }
  return [...byName.values()].sort((a, b) => best(b) - best(a) || a.name.localeCompare(b.name));
}

/** A confidence as a chip shows it: a whole percentage (the exact one is in the chip's title). */
export const percentText = (confidence: number) => `${Math.round(confidence)}%`;
