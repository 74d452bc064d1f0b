import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDetailsChange } from '../../../functions/core/file-record.js';
import type { Extension } from '../../../functions/core/extensions.js';
import { EXTENSION_NAMES } from '../../../functions/core/extension-names.js';
import { type AITag, flattenAITags } from '../../../functions/core/file-record.js';
import { decideTags, EMPTY_TAG_POLICY, type Label, roundConfidence, type TagPolicy } from '../../../functions/core/tag-policy.js';
import { deepFreeze, fileRecord } from '../../support/sample-files.js';

const aws = (overrides: Partial<Extension> = {}): Extension => ({ name: 'aws-auto-tagging', minConfidence: 0, maxTags: 30, ...overrides });
const google = (overrides: Partial<Extension> = {}): Extension => ({ name: 'google-auto-tagging', minConfidence: 0, maxTags: 30, ...overrides });

describe('roundConfidence', () => {
  it.each([
    { input: 97.125, expected: 97.13 },
    { input: 1.005, expected: 1.01 },
    { input: 2.675, expected: 2.68 },
    { input: 0.005, expected: 0.01 },
    { input: 0.004999, expected: 0 },
    { input: 99.996, expected: 100 },
    { input: 99.994, expected: 99.99 },
    { input: 69.995, expected: 70 },
    { input: 97.12345, expected: 97.12 },
    { input: 80, expected: 80 },
    { input: 0, expected: 0 },
    { input: 100, expected: 100 },
  ])('rounds $input half away from zero to $expected', ({ input, expected }) => {
    expect(roundConfidence(input)).toBe(expected);
  });

  it.each([
    { input: -0.3, expected: 0 },
    { input: -50, expected: 0 },
    { input: Number.NEGATIVE_INFINITY, expected: 0 },
    { input: 100.004, expected: 100 },
    { input: 150, expected: 100 },
    { input: Number.POSITIVE_INFINITY, expected: 100 },
  ])('keeps $input within 0–100 as $expected', ({ input, expected }) => {
    expect(roundConfidence(input)).toBe(expected);
  });

  it('rounds every written-out half hundredth up, whatever its binary value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999 }), (hundredths) => {
        // Prepare: "12.345" is written as the decimal literal a provider would send, e.g. 12.34 + 0.005
        const whole = Math.floor(hundredths / 100);
        const fraction = String(hundredths % 100).padStart(2, '0');
        const half = Number(`${whole}.${fraction}5`);

        // Act
        const rounded = roundConfidence(half);

        // Assess
        expect(rounded).toBe((hundredths + 1) / 100);
      }),
    );
  });

  it('returns a value within 0–100 with at most 2 decimals, within 0.005 of any input in range', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (input) => {
        const rounded = roundConfidence(input);

        expect(rounded).toBeGreaterThanOrEqual(0);
        expect(rounded).toBeLessThanOrEqual(100);
        expect(Math.abs(Math.round(rounded * 100) / 100 - rounded)).toBeLessThan(1e-9);
        const clamped = Math.min(100, Math.max(0, input));
        expect(Math.abs(rounded - clamped)).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });

  it('never reverses the order of two confidences', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(roundConfidence(low)).toBeLessThanOrEqual(roundConfidence(high));
      }),
    );
  });

  it('leaves a rounded confidence unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (hundredths) => {
        expect(roundConfidence(hundredths / 100)).toBe(hundredths / 100);
      }),
    );
  });
});

describe('decideTags', () => {
  it('rounds confidences to 2 decimals and tags them with the extension name as source', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Beach', confidence: 97.125 },
      { name: 'Sea', confidence: 88.4449 },
    ];

    // Act
    const tags = decideTags(labels, google());

    // Assess
    expect(tags).toEqual([
      { name: 'Beach', confidence: 97.13, source: 'google-auto-tagging' },
      { name: 'Sea', confidence: 88.44, source: 'google-auto-tagging' },
    ]);
  });

  it('drops labels below minConfidence and keeps those exactly at it', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Beach', confidence: 70 },
      { name: 'Sand', confidence: 69.99 },
      { name: 'Sky', confidence: 85 },
    ];

    // Act
    const tags = decideTags(labels, aws({ minConfidence: 70 }));

    // Assess
    expect(tags).toEqual([
      { name: 'Sky', confidence: 85, source: 'aws-auto-tagging' },
      { name: 'Beach', confidence: 70, source: 'aws-auto-tagging' },
    ]);
  });

  it('compares the rounded confidence with minConfidence', () => {
    // Prepare: 69.996 rounds to 70.00; 69.994 rounds to 69.99
    const labels: Label[] = [
      { name: 'Wave', confidence: 69.996 },
      { name: 'Shell', confidence: 69.994 },
      { name: 'Palm', confidence: 69.995 },
    ];

    // Act
    const tags = decideTags(labels, aws({ minConfidence: 70 }));

    // Assess
    expect(tags).toEqual([
      { name: 'Palm', confidence: 70, source: 'aws-auto-tagging' },
      { name: 'Wave', confidence: 70, source: 'aws-auto-tagging' },
    ]);
  });

  it('keeps a label at 100 for minConfidence 100, including one that rounds up to it', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Sky', confidence: 100 },
      { name: 'Cloud', confidence: 99.995 },
      { name: 'Sun', confidence: 99.99 },
    ];

    // Act
    const tags = decideTags(labels, aws({ minConfidence: 100 }));

    // Assess
    expect(tags).toEqual([
      { name: 'Cloud', confidence: 100, source: 'aws-auto-tagging' },
      { name: 'Sky', confidence: 100, source: 'aws-auto-tagging' },
    ]);
  });

  it('keeps one tag per name case-insensitively: the most confident, under its own spelling', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'cat', confidence: 81 },
      { name: 'Cat', confidence: 92.5 },
      { name: 'CAT', confidence: 60 },
      { name: 'Dog', confidence: 75 },
    ];

    // Act
    const tags = decideTags(labels, google());

    // Assess
    expect(tags).toEqual([
      { name: 'Cat', confidence: 92.5, source: 'google-auto-tagging' },
      { name: 'Dog', confidence: 75, source: 'google-auto-tagging' },
    ]);
  });

  it('keeps the most confident spelling of a name even when a less confident one is listed first and falls below minConfidence', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'dog', confidence: 40 },
      { name: 'DOG', confidence: 90 },
    ];

    // Act
    const tags = decideTags(labels, aws({ minConfidence: 50 }));

    // Assess
    expect(tags).toEqual([{ name: 'DOG', confidence: 90, source: 'aws-auto-tagging' }]);
  });

  it('orders by confidence, highest first, then by name in code-unit order for ties', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'beach', confidence: 80 },
      { name: 'Sea', confidence: 95 },
      { name: 'Beach house', confidence: 80 },
      { name: 'Animal', confidence: 80 },
      { name: 'Zebra', confidence: 99.1 },
    ];

    // Act
    const tags = decideTags(labels, aws());

    // Assess: uppercase sorts before lowercase ('B' < 'b'), not locale order
    expect(tags.map((tag) => [tag.name, tag.confidence])).toEqual([
      ['Zebra', 99.1],
      ['Sea', 95],
      ['Animal', 80],
      ['Beach house', 80],
      ['beach', 80],
    ]);
  });

  it('orders labels that tie only after rounding by name', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Sand', confidence: 88.126 },
      { name: 'Dune', confidence: 88.1251 },
    ];

    // Act
    const tags = decideTags(labels, aws());

    // Assess
    expect(tags.map((tag) => [tag.name, tag.confidence])).toEqual([
      ['Dune', 88.13],
      ['Sand', 88.13],
    ]);
  });

  it('keeps the first maxTags after ordering', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Low', confidence: 51 },
      { name: 'Top', confidence: 99 },
      { name: 'Mid', confidence: 75 },
      { name: 'High', confidence: 90 },
    ];

    // Act
    const tags = decideTags(labels, aws({ maxTags: 2 }));

    // Assess
    expect(tags).toEqual([
      { name: 'Top', confidence: 99, source: 'aws-auto-tagging' },
      { name: 'High', confidence: 90, source: 'aws-auto-tagging' },
    ]);
  });

  it('counts maxTags after de-duplication', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Cat', confidence: 99 },
      { name: 'cat', confidence: 98 },
      { name: 'Dog', confidence: 50 },
    ];

    // Act
    const tags = decideTags(labels, aws({ maxTags: 2 }));

    // Assess
    expect(tags.map((tag) => tag.name)).toEqual(['Cat', 'Dog']);
  });

  it('returns no tags for maxTags 0', () => {
    expect(decideTags([{ name: 'Beach', confidence: 99 }], aws({ maxTags: 0 }))).toEqual([]);
  });

  it('returns no tags for no labels', () => {
    expect(decideTags([], google())).toEqual([]);
  });

  it('trims names, drops empty and whitespace-only names, and de-duplicates on the trimmed name', () => {
    // Prepare
    const labels: Label[] = [
      { name: '  Beach ', confidence: 90 },
      { name: '', confidence: 99 },
      { name: '   ', confidence: 98 },
      { name: '\t\n', confidence: 97 },
      { name: 'beach', confidence: 85 },
      { name: ' Sea', confidence: 80 },
    ];

    // Act
    const tags = decideTags(labels, aws());

    // Assess
    expect(tags).toEqual([
      { name: 'Beach', confidence: 90, source: 'aws-auto-tagging' },
      { name: 'Sea', confidence: 80, source: 'aws-auto-tagging' },
    ]);
  });

  it('drops a label too long for the search index to key (2,100 bytes in UTF-8), and fills maxTags with the others', () => {
    // Prepare: 700 characters, 2,100 bytes; the longest a tag may be is 2,019 bytes (673 × "€").
    const labels: Label[] = [
      { name: '€'.repeat(700), confidence: 99 },
      { name: '€'.repeat(673), confidence: 95 },
      { name: 'Cat', confidence: 90 },
    ];

    // Act
    const tags = decideTags(labels, aws({ maxTags: 2 }));

    // Assess
    expect(tags).toEqual([
      { name: '€'.repeat(673), confidence: 95, source: 'aws-auto-tagging' },
      { name: 'Cat', confidence: 90, source: 'aws-auto-tagging' },
    ]);
  });

  it('clamps confidences outside 0–100 and drops a NaN confidence', () => {
    // Prepare
    const labels: Label[] = [
      { name: 'Over', confidence: 100.7 },
      { name: 'Under', confidence: -3 },
      { name: 'Broken', confidence: Number.NaN },
    ];

    // Act
    const tags = decideTags(labels, aws());

    // Assess
    expect(tags).toEqual([
      { name: 'Over', confidence: 100, source: 'aws-auto-tagging' },
      { name: 'Under', confidence: 0, source: 'aws-auto-tagging' },
    ]);
  });

  it('leaves its inputs untouched', () => {
    // Prepare
    const labels = deepFreeze<Label[]>([
      { name: ' Cat ', confidence: 91.234 },
      { name: 'cat', confidence: 80 },
    ]);
    const extension = deepFreeze(aws({ maxTags: 1 }));

    // Act
    const tags = decideTags(labels, extension);

    // Assess
    expect(tags).toEqual([{ name: 'Cat', confidence: 91.23, source: 'aws-auto-tagging' }]);
    expect(labels).toEqual([
      { name: ' Cat ', confidence: 91.234 },
      { name: 'cat', confidence: 80 },
    ]);
  });
});

/** Names drawn from a small alphabet force case and whitespace duplicates; free strings cover the rest. */
const labelName = fc.oneof(
  fc.constantFrom('Cat', 'cat', 'CAT', ' Cat', 'Dog', 'dog ', 'Sea', 'sea', 'Beach', 'B', 'b', '', ' ', '\t'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const confidence = fc.oneof(
  fc.double({ min: 0, max: 100, noNaN: true }),
  // Values on or next to a rounding boundary.
  fc.integer({ min: 0, max: 20_000 }).map((halfHundredths) => halfHundredths / 200),
);
const label = fc.record({ name: labelName, confidence });
const labelList = fc.array(label, { maxLength: 40 });
const anyExtension = fc.record({
  name: fc.constantFrom(...EXTENSION_NAMES),
  minConfidence: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 100 })),
  maxTags: fc.integer({ min: 0, max: 30 }),
});

const key = (name: string) => name.trim().toLowerCase();
const byConfidenceThenName = (a: AITag, b: AITag) =>
  b.confidence !== a.confidence ? b.confidence - a.confidence : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

describe('decideTags properties', () => {
  it('returns at most maxTags tags', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        expect(decideTags(input, ext).length).toBeLessThanOrEqual(ext.maxTags);
      }),
    );
  });

  it('returns only confidences at least minConfidence, with at most 2 decimals, each within 0.005 of a label of that name', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        for (const tag of decideTags(input, ext)) {
          expect(tag.confidence).toBeGreaterThanOrEqual(ext.minConfidence);
          expect(Math.abs(Math.round(tag.confidence * 100) / 100 - tag.confidence)).toBeLessThan(1e-9);
          const sameName = input.filter((candidate) => key(candidate.name) === key(tag.name));
          expect(sameName.some((candidate) => Math.abs(candidate.confidence - tag.confidence) <= 0.005 + 1e-9)).toBe(true);
        }
      }),
    );
  });

  it('returns trimmed, non-empty names that are unique case-insensitively', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        const names = decideTags(input, ext).map((tag) => tag.name);
        for (const name of names) {
          expect(name).toBe(name.trim());
          expect(name).not.toBe('');
        }
        expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
      }),
    );
  });

  it('orders tags by confidence descending, then name ascending', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        const tags = decideTags(input, ext);
        expect(tags).toEqual([...tags].sort(byConfidenceThenName));
      }),
    );
  });

  it("sets every tag's source to the extension's name", () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        for (const tag of decideTags(input, ext)) expect(tag.source).toBe(ext.name);
      }),
    );
  });

  it('returns a prefix of what maxTags 30 returns', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        const all = decideTags(input, { ...ext, maxTags: 30 });
        expect(decideTags(input, ext)).toEqual(all.slice(0, ext.maxTags));
      }),
    );
  });

  it('never adds a tag when minConfidence rises', () => {
    fc.assert(
      fc.property(labelList, anyExtension, fc.double({ min: 0, max: 100, noNaN: true }), (input, ext, otherMin) => {
        // Prepare
        const [low, high] = otherMin <= ext.minConfidence ? [otherMin, ext.minConfidence] : [ext.minConfidence, otherMin];

        // Act
        const atLow = decideTags(input, { ...ext, minConfidence: low });
        const atHigh = decideTags(input, { ...ext, minConfidence: high });

        // Assess: the higher threshold cuts the ordered list sooner, so its result is a prefix
        expect(atLow.slice(0, atHigh.length)).toEqual(atHigh);
      }),
    );
  });

  it('returns the same tags when selecting again from its own output', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        const tags = decideTags(input, ext);
        const again = decideTags(
          tags.map(({ name, confidence }) => ({ name, confidence })),
          ext,
        );
        expect(again).toEqual(tags);
      }),
    );
  });

  it('keeps, for every name that reaches minConfidence, its highest rounded confidence until maxTags is reached', () => {
    fc.assert(
      fc.property(labelList, anyExtension, (input, ext) => {
        // Prepare: the contract's steps, written out — the best rounded confidence per trimmed, case-folded name
        const best = new Map<string, number>();
        for (const { name, confidence } of input) {
          if (name.trim() === '') continue;
          const rounded = roundConfidence(confidence);
          best.set(key(name), Math.max(best.get(key(name)) ?? Number.NEGATIVE_INFINITY, rounded));
        }
        const expected = [...best.values()].filter((value) => value >= ext.minConfidence).sort((a, b) => b - a);

        // Act
        const tags = decideTags(input, ext);

        // Assess
        expect(tags.map((tag) => tag.confidence)).toEqual(expected.slice(0, ext.maxTags));
        for (const tag of tags) expect(best.get(key(tag.name))).toBe(tag.confidence);
      }),
    );
  });

  it('does not depend on the order the provider listed the labels in', () => {
    fc.assert(
      fc.property(
        labelList.chain((input) => fc.tuple(fc.constant(input), fc.shuffledSubarray(input, { minLength: input.length, maxLength: input.length }))),
        anyExtension,
        ([input, shuffled], ext) => {
          expect(decideTags(shuffled, ext)).toEqual(decideTags(input, ext));
        },
      ),
    );
  });
});

describe('selected tags on a file record', () => {
  it('flattens both extensions grouped by source, aws first, each group in selection order', () => {
    // Prepare
    const awsTags = decideTags(
      [
        { name: 'Sea', confidence: 71.5 },
        { name: 'Beach', confidence: 99.123 },
      ],
      aws({ minConfidence: 70 }),
    );
    const googleTags = decideTags(
      [
        { name: 'Sky', confidence: 88 },
        { name: 'Sand', confidence: 93.3 },
      ],
      google({ minConfidence: 70, maxTags: 1 }),
    );

    // Act
    const flat = flattenAITags({ 'google-auto-tagging': googleTags, 'aws-auto-tagging': awsTags });

    // Assess
    expect(flat).toEqual([
      { name: 'Beach', confidence: 99.12, source: 'aws-auto-tagging' },
      { name: 'Sea', confidence: 71.5, source: 'aws-auto-tagging' },
      { name: 'Sand', confidence: 93.3, source: 'google-auto-tagging' },
    ]);
  });

  it('removeAITags drops exactly the named tags, case-insensitively, and keeps the rest in order', () => {
    fc.assert(
      fc.property(labelList, labelList, fc.array(labelName, { maxLength: 5 }), (awsLabels, googleLabels, removed) => {
        // Prepare
        const record = fileRecord({
          aiTags: { 'aws-auto-tagging': decideTags(awsLabels, aws()), 'google-auto-tagging': decideTags(googleLabels, google()) },
        });
        const drop = new Set(removed.map((name) => name.toLowerCase()));

        // Act
        const next = applyDetailsChange(record, { removeAITags: removed }, '2024-06-01T12:00:00.000Z');

        // Assess
        const before = flattenAITags(record.aiTags) ?? [];
        const expected = removed.length ? before.filter((tag) => !drop.has(tag.name.toLowerCase())) : before;
        expect(flattenAITags(next.aiTags) ?? []).toEqual(expected);
      }),
    );
  });
});

const policy = (overrides: Partial<TagPolicy>): TagPolicy => ({ ...EMPTY_TAG_POLICY, ...overrides });
const rekognitionLabel = (name: string, confidence: number, more: Partial<Label> = {}): Label => ({
  name,
  confidence,
  aliases: [],
  categories: [],
  ...more,
});
const names = (tags: AITag[]) => tags.map((tag) => tag.name);

describe('decideTags with a tag policy and rejections', () => {
  const labels: Label[] = [
    rekognitionLabel('Cat', 97, { aliases: ['Kitty'], categories: ['Animals and Pets'] }),
    rekognitionLabel('Teddy Bear', 95, { categories: ['Toys and Gaming'] }),
    rekognitionLabel('Teddy bear', 94, { categories: ['Toys and Gaming'] }),
    rekognitionLabel('Font', 93, { categories: ['Text and Documents'] }),
    rekognitionLabel('Kitten', 92, { categories: ['Animals and Pets'] }),
    rekognitionLabel('Rectangle', 90, { categories: ['Patterns and Shapes'] }),
  ];

  it('drops excluded labels by provider name or alias, case-insensitively', () => {
    expect(names(decideTags(labels, aws(), { policy: policy({ exclude: ['font', 'KITTY'] }), rejected: [] }))).toEqual([
      'Teddy Bear',
      'Kitten',
      'Rectangle',
    ]);
  });

  it('keeps only included labels when include is set', () => {
    expect(names(decideTags(labels, aws(), { policy: policy({ include: ['teddy bear', 'Kitty'] }), rejected: [] }))).toEqual(['Cat', 'Teddy Bear']);
  });

  it('filters by category, and leaves labels without categories (Vision) to the other rules', () => {
    const steering = { policy: policy({ includeCategories: ['animals and pets'], excludeCategories: ['Patterns and Shapes'] }), rejected: [] };
    expect(names(decideTags(labels, aws(), steering))).toEqual(['Cat', 'Kitten']);
    expect(
      names(
        decideTags(
          [
            { name: 'Rectangle', confidence: 90 },
            { name: 'Font', confidence: 80 },
          ],
          google(),
          steering,
        ),
      ),
    ).toEqual(['Rectangle', 'Font']);
  });

  it('renames by synonyms and merges the renamed labels, the most confident kept under the team name', () => {
    const tags = decideTags(labels, aws(), { policy: policy({ synonyms: { Kitten: 'Cat', Font: 'Lettering', 'teddy bear': 'Toy' } }), rejected: [] });
    expect(tags).toEqual([
      { name: 'Cat', confidence: 97, source: 'aws-auto-tagging' },
      { name: 'Toy', confidence: 95, source: 'aws-auto-tagging' },
      { name: 'Lettering', confidence: 93, source: 'aws-auto-tagging' },
      { name: 'Rectangle', confidence: 90, source: 'aws-auto-tagging' },
    ]);
  });

  it('matches include and exclude by the team name too', () => {
    expect(names(decideTags(labels, aws(), { policy: policy({ synonyms: { Font: 'Lettering' }, include: ['lettering'] }), rejected: [] }))).toEqual([
      'Lettering',
    ]);
  });

  it('never keeps a rejected name, after synonyms, whichever provider label it came from', () => {
    const steering = { policy: policy({ synonyms: { Kitten: 'Cat' } }), rejected: ['cat', 'Font'] };
    expect(names(decideTags(labels, aws(), steering))).toEqual(['Teddy Bear', 'Rectangle']);
  });

  it('counts maxTags among the tags that survive the policy', () => {
    expect(names(decideTags(labels, aws({ maxTags: 2 }), { policy: policy({ exclude: ['Cat', 'Teddy Bear'] }), rejected: [] }))).toEqual([
      'Font',
      'Kitten',
    ]);
  });
});

const word = fc.constantFrom('Cat', 'cat', 'Kitten', 'Dog', 'Font', 'Toy', 'Teddy Bear', 'teddy bear', 'Sea', 'Pet');
const category = fc.constantFrom('Animals and Pets', 'Toys and Gaming', 'Text and Documents', 'Nature');
const policyLabel = fc.record(
  {
    name: word,
    confidence,
    aliases: fc.array(word, { maxLength: 2 }),
    categories: fc.array(category, { maxLength: 2 }),
  },
  { requiredKeys: ['name', 'confidence'] },
);
const anyPolicy = fc.record({
  exclude: fc.array(word, { maxLength: 3 }),
  include: fc.oneof(fc.constant<string[]>([]), fc.array<string>(word, { maxLength: 4 })),
  excludeCategories: fc.array(category, { maxLength: 2 }),
  includeCategories: fc.oneof(fc.constant<string[]>([]), fc.array<string>(category, { maxLength: 2 })),
  // As PUT /v1/tag-policy accepts them: one entry per label, case-insensitively.
  synonyms: fc
    .uniqueArray(fc.tuple(word, fc.constantFrom('Animal', 'Toy', 'Lettering', 'Cat')), {
      maxLength: 3,
      selector: ([source]) => source.toLowerCase(),
    })
    .map((entries) => Object.fromEntries(entries)),
});
const steeringInput = fc.record({ labels: fc.array(policyLabel, { maxLength: 20 }), policy: anyPolicy, rejected: fc.array(word, { maxLength: 3 }) });

/** Every name the policy's lists know a label by. */
function knownBy(label: Label, synonyms: Record<string, string>): string[] {
  const teamName = Object.entries(synonyms).find(([source]) => key(source) === key(label.name))?.[1] ?? label.name;
  return [label.name, teamName, ...(label.aliases ?? [])].map(key);
}
const teamNameOf = (label: Label, synonyms: Record<string, string>) =>
  Object.entries(synonyms).find(([source]) => key(source) === key(label.name))?.[1] ?? label.name.trim();

describe('decideTags properties with a policy', () => {
  it('keeps each tag from a label that passes every list: not excluded, included when include is set, in the categories, not rejected', () => {
    fc.assert(
      fc.property(steeringInput, anyExtension, ({ labels, policy: given, rejected }, ext) => {
        for (const tag of decideTags(labels, ext, { policy: given, rejected })) {
          expect(rejected.map(key)).not.toContain(key(tag.name));
          const sources = labels.filter((label) => key(teamNameOf(label, given.synonyms)) === key(tag.name));
          const passing = sources.filter((label) => {
            const known = knownBy(label, given.synonyms);
            // A label without categories (Vision's) is not filtered by them.
            const categories = label.categories?.map(key);
            return (
              (given.include.length === 0 || given.include.some((name) => known.includes(key(name)))) &&
              !given.exclude.some((name) => known.includes(key(name))) &&
              (!categories ||
                ((given.includeCategories.length === 0 || given.includeCategories.some((name) => categories.includes(key(name)))) &&
                  !given.excludeCategories.some((name) => categories.includes(key(name)))))
            );
          });
          expect(passing.length).toBeGreaterThan(0);
          expect(Math.max(...passing.map((label) => roundConfidence(label.confidence)))).toBe(tag.confidence);
        }
      }),
    );
  });

  it('names every tag by a synonym target or a provider label that no synonym renames', () => {
    fc.assert(
      fc.property(steeringInput, anyExtension, ({ labels, policy: given, rejected }, ext) => {
        const targets = Object.values(given.synonyms).map(key);
        for (const tag of decideTags(labels, ext, { policy: given, rejected })) {
          const renamed = Object.keys(given.synonyms).some((source) => key(source) === key(tag.name));
          expect(targets.includes(key(tag.name)) || !renamed).toBe(true);
        }
      }),
    );
  });

  it('keeps the rules of the empty policy: unique names, order, minConfidence, and maxTags counted among survivors', () => {
    fc.assert(
      fc.property(steeringInput, anyExtension, ({ labels, policy: given, rejected }, ext) => {
        const tags = decideTags(labels, ext, { policy: given, rejected });
        expect(tags).toEqual([...tags].sort(byConfidenceThenName));
        expect(new Set(tags.map((tag) => key(tag.name))).size).toBe(tags.length);
        for (const tag of tags) expect(tag.confidence).toBeGreaterThanOrEqual(ext.minConfidence);
        expect(tags).toEqual(decideTags(labels, { ...ext, maxTags: 30 }, { policy: given, rejected }).slice(0, ext.maxTags));
      }),
    );
  });

  it('is the plain selection when nothing is listed and nothing rejected', () => {
    fc.assert(
      fc.property(fc.array(policyLabel, { maxLength: 20 }), anyExtension, (labels, ext) => {
        const plain = labels.map(({ name, confidence: value }) => ({ name, confidence: value }));
        expect(decideTags(labels, ext, { policy: EMPTY_TAG_POLICY, rejected: [] })).toEqual(decideTags(plain, ext));
      }),
    );
  });
});
