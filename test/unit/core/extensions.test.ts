import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXTENSIONS_HELP, parseExtensions, parseExtensionsJson } from '../../../functions/core/extensions.js';
import { EXTENSION_NAMES } from '../../../functions/core/extension-names.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const aws = { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 5 };
const google = { name: 'google-auto-tagging', minConfidence: 70, maxTags: 10 };
const json = (value: unknown) => JSON.stringify(value);

describe('parseExtensionsJson', () => {
  it('accepts one entry per provider and returns them in the given order', () => {
    // Prepare
    const text = json([google, aws]);

    // Act
    const extensions = parseExtensionsJson(text);

    // Assess
    expect(extensions).toEqual([google, aws]);
  });

  it('treats [] as no extensions', () => {
    expect(parseExtensionsJson('[]')).toEqual([]);
  });

  it.each([
    { minConfidence: 0, maxTags: 0 },
    { minConfidence: 100, maxTags: 30 },
    { minConfidence: 0, maxTags: 30 },
    { minConfidence: 100, maxTags: 0 },
  ])('accepts the boundaries minConfidence $minConfidence and maxTags $maxTags', ({ minConfidence, maxTags }) => {
    // Prepare
    const text = json([{ name: 'aws-auto-tagging', minConfidence, maxTags }]);

    // Act
    const extensions = parseExtensionsJson(text);

    // Assess
    expect(extensions).toEqual([{ name: 'aws-auto-tagging', minConfidence, maxTags }]);
  });

  it.each([
    { case: 'text that is not JSON', text: '[{name: aws-auto-tagging}]', message: 'extensions is not valid JSON' },
    { case: 'an empty string', text: '', message: 'extensions is not valid JSON' },
    { case: 'an object instead of an array', text: json(aws), message: 'extensions must be a JSON array' },
    { case: 'a JSON string instead of an array', text: json('aws-auto-tagging'), message: 'extensions must be a JSON array' },
    {
      case: 'an unknown name',
      text: json([aws, { ...google, name: 'azure-auto-tagging' }]),
      message: 'extensions[1].name must be one of aws-auto-tagging, google-auto-tagging, saved-extension (got "azure-auto-tagging")',
    },
    {
      case: 'a name nested 10,000 levels deep (described, never serialised)',
      text: `[{"name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"minConfidence":1,"maxTags":1}]`,
      message: 'extensions[0].name must be one of aws-auto-tagging, google-auto-tagging, saved-extension (got an object)',
    },
    { case: 'a missing name', text: json([{ minConfidence: 80, maxTags: 5 }]), message: 'extensions[0].name is required' },
    { case: 'a missing minConfidence', text: json([{ name: 'aws-auto-tagging', maxTags: 5 }]), message: 'extensions[0].minConfidence is required' },
    {
      case: 'a missing maxTags',
      text: json([aws, { name: 'google-auto-tagging', minConfidence: 70 }]),
      message: 'extensions[1].maxTags is required',
    },
    { case: 'an extra field', text: json([{ ...aws, language: 'en' }]), message: 'extensions[0] has unsupported field(s) "language"' },
    // Only the reconciler resumes a webhook (core/run-watches.ts): a request cannot.
    {
      case: 'a webhook to resume',
      text: json([{ ...aws, resume: { webhook: { attempt: 2 } } }]),
      message: 'extensions[0] has unsupported field(s) "resume"',
    },
    {
      case: 'minConfidence -1',
      text: json([aws, { ...google, minConfidence: -1 }]),
      message: 'extensions[1].minConfidence must be between 0 and 100',
    },
    { case: 'minConfidence 100.5', text: json([{ ...aws, minConfidence: 100.5 }]), message: 'extensions[0].minConfidence must be between 0 and 100' },
    { case: 'minConfidence as a string', text: json([{ ...aws, minConfidence: '80' }]), message: 'extensions[0].minConfidence must be a number' },
    { case: 'maxTags 31', text: json([aws, { ...google, maxTags: 31 }]), message: 'extensions[1].maxTags must be an integer between 0 and 30' },
    { case: 'maxTags 2.5', text: json([{ ...aws, maxTags: 2.5 }]), message: 'extensions[0].maxTags must be an integer between 0 and 30' },
    { case: 'maxTags -1', text: json([{ ...aws, maxTags: -1 }]), message: 'extensions[0].maxTags must be an integer between 0 and 30' },
    {
      case: 'the same name twice',
      text: json([aws, google, { ...aws, minConfidence: 10 }]),
      message: 'extensions[2].name repeats "aws-auto-tagging": each extension may appear once',
    },
    {
      case: 'a saved extension without an id',
      text: json([{ name: 'saved-extension' }]),
      message: 'extensions[0].id is required',
    },
    {
      case: 'a saved extension with an empty id',
      text: json([{ name: 'saved-extension', id: '' }]),
      message: 'extensions[0].id must be a saved extension id, not empty',
    },
    {
      case: 'a saved extension with settings of its own',
      text: json([{ name: 'saved-extension', id: 'a1', maxTags: 3 }]),
      message: 'extensions[0] has unsupported field(s) "maxTags"',
    },
    {
      case: 'one saved extension twice',
      text: json([
        { name: 'saved-extension', id: 'a1' },
        { name: 'saved-extension', id: 'a1' },
      ]),
      message: 'extensions[1].name repeats saved extension "a1": each extension may appear once',
    },
  ])('rejects $case with a 400 naming the entry and field', ({ text, message }) => {
    // Act
    const error = thrownApiError(() => parseExtensionsJson(text));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
    expect(error.help).toBe(EXTENSIONS_HELP);
  });

  it('accepts saved-extension references beside extensions, as sent (resolved later)', () => {
    expect(parseExtensionsJson(json([aws, { name: 'saved-extension', id: 'a1' }, { name: 'saved-extension', id: 'b2' }]))).toEqual([
      aws,
      { name: 'saved-extension', id: 'a1' },
      { name: 'saved-extension', id: 'b2' },
    ]);
  });

  it('rejects an entry that is not an object with a 400 naming the entry index', () => {
    // Act
    const error = thrownApiError(() => parseExtensionsJson('[5]'));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^extensions\[0\] /);
  });
});

describe('parseExtensions properties', () => {
  const name = fc.constantFrom(...EXTENSION_NAMES);
  const validMinConfidence = fc.double({ min: 0, max: 100, noNaN: true });
  const validMaxTags = fc.integer({ min: 0, max: 30 });

  it('accepts any minConfidence in [0, 100] with any integer maxTags in [0, 30]', () => {
    fc.assert(
      fc.property(name, validMinConfidence, validMaxTags, (extension, minConfidence, maxTags) => {
        // Prepare
        const entry = { name: extension, minConfidence, maxTags };

        // Act
        const extensions = parseExtensions([entry]);

        // Assess
        expect(extensions).toEqual([entry]);
      }),
    );
  });

  it('rejects any minConfidence outside [0, 100] with a 400 naming extensions[0].minConfidence', () => {
    const outside = fc.double({ noNaN: true }).filter((value) => !(value >= 0 && value <= 100));
    fc.assert(
      fc.property(name, outside, validMaxTags, (extension, minConfidence, maxTags) => {
        // Act
        const error = thrownApiError(() => parseExtensions([{ name: extension, minConfidence, maxTags }]));

        // Assess
        expect(error.status).toBe(400);
        expect(error.message).toMatch(/^extensions\[0\]\.minConfidence must be /);
      }),
    );
  });

  it('rejects any maxTags that is not an integer in [0, 30] with a 400 naming extensions[0].maxTags', () => {
    const outside = fc.double({ noNaN: true }).filter((value) => !(Number.isInteger(value) && value >= 0 && value <= 30));
    fc.assert(
      fc.property(name, validMinConfidence, outside, (extension, minConfidence, maxTags) => {
        // Act
        const error = thrownApiError(() => parseExtensions([{ name: extension, minConfidence, maxTags }]));

        // Assess
        expect(error.status).toBe(400);
        expect(error.message).toMatch(/^extensions\[0\]\.maxTags must be /);
      }),
    );
  });
});
