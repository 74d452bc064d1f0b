import { describe, expect, it } from 'vitest';
import { EXTENSIONS_HELP } from '../../../functions/core/extensions.js';
import {
  checkDeletable,
  parseSavedExtensionCreate,
  parseSavedExtensionUpdate,
  resolveExtensions,
  SAVED_EXTENSIONS_HELP,
  type SavedExtension,
  savedExtensionObject,
  withCreated,
  withUpdated,
} from '../../../functions/core/saved-extensions.js';
import { EMPTY_TAG_POLICY } from '../../../functions/core/tag-policy.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const AWS = { name: 'aws-auto-tagging' as const, minConfidence: 80, maxTags: 5 };
const GOOGLE = { name: 'google-auto-tagging' as const, minConfidence: 60, maxTags: 10 };
const saved = (id: string, config: SavedExtension['config'], policyVersion?: string): SavedExtension => ({
  id,
  name: id,
  description: '',
  config,
  ...(policyVersion && { policyVersion }),
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
});
const library = new Map([
  ['strict', saved('strict', { ...AWS, minConfidence: 95 }, 'v-strict')],
  ['vision', saved('vision', GOOGLE)],
]);
const find = (id: string) => library.get(id);

describe('resolveExtensions', () => {
  it('replaces each reference by its config, with the policy version of a config that has one, in the request’s order', () => {
    expect(
      resolveExtensions(
        [
          { name: 'saved-extension', id: 'vision' },
          { name: 'saved-extension', id: 'strict' },
        ],
        find,
      ),
    ).toEqual([GOOGLE, { ...AWS, minConfidence: 95, policyVersion: 'v-strict' }]);
    expect(resolveExtensions([AWS, { name: 'saved-extension', id: 'vision' }], find)).toEqual([AWS, GOOGLE]);
  });

  it('answers plain extensions as they are, without looking anything up', () => {
    expect(resolveExtensions([AWS, GOOGLE], () => expect.unreachable())).toEqual([AWS, GOOGLE]);
  });

  it.each([
    {
      case: 'an unknown id',
      requested: [AWS, { name: 'saved-extension' as const, id: 'gone' }],
      message: 'extensions[1] refers to saved extension "gone", which does not exist',
    },
    {
      case: 'a reference that runs an extension listed beside it',
      requested: [{ name: 'saved-extension' as const, id: 'strict' }, AWS],
      message: 'extensions[1] and extensions[0] both run aws-auto-tagging: each extension may run once per request',
    },
  ])('refuses $case with a 400 naming the entry', ({ requested, message }) => {
    const error = thrownApiError(() => resolveExtensions(requested, find));
    expect([error.status, error.message, error.help]).toEqual([400, message, EXTENSIONS_HELP]);
  });

  it('names the entries under the root it is given', () => {
    const error = thrownApiError(() => resolveExtensions([{ name: 'saved-extension', id: 'x' }], find, 'AITAGS_DEFAULT_EXTENSIONS'));
    expect(error.message).toBe('AITAGS_DEFAULT_EXTENSIONS[0] refers to saved extension "x", which does not exist');
  });
});

describe('saved extension bodies', () => {
  it('takes a config with a policy, checked by the tag policy’s rules', () => {
    expect(parseSavedExtensionCreate({ name: ' Pets ', config: { ...AWS, policy: { exclude: [' Font '] } } })).toEqual({
      name: 'Pets',
      description: '',
      config: { config: AWS, policy: { ...EMPTY_TAG_POLICY, exclude: ['Font'] } },
    });
    const error = thrownApiError(() => parseSavedExtensionCreate({ name: 'x', config: { ...AWS, policy: { include: ['Cat'], exclude: ['cat'] } } }));
    expect([error.status, error.message, error.help]).toEqual([
      400,
      'config.policy.include[0] "Cat" is also in exclude: a label is either included or excluded',
      SAVED_EXTENSIONS_HELP,
    ]);
  });

  it('an update changes only what it names; an empty one (or none) changes nothing', () => {
    expect(parseSavedExtensionUpdate({})).toEqual({});
    expect(parseSavedExtensionUpdate(undefined)).toEqual({});
    expect(parseSavedExtensionUpdate({ description: 'd' })).toEqual({ description: 'd' });
    expect(parseSavedExtensionUpdate({ config: GOOGLE })).toEqual({ config: { config: GOOGLE } });
  });

  it('answers config.policy only when the saved extension has one', () => {
    expect(savedExtensionObject(saved('a', AWS), undefined).config).toEqual(AWS);
    expect(savedExtensionObject(saved('a', AWS, 'v'), EMPTY_TAG_POLICY).config).toEqual({ ...AWS, policy: EMPTY_TAG_POLICY });
  });
});

describe('the list’s limits', () => {
  const mb = 1024 * 1024;
  it('refuses the 101st, and policies over 4 MB together, as 400s', () => {
    const hundred = Array.from({ length: 100 }, (_, index) => saved(`s${index}`, AWS));
    expect(thrownApiError(() => withCreated(hundred, saved('one more', AWS))).message).toBe(
      'There are already 100 saved extensions, the most a deployment keeps',
    );
    const big = [{ ...saved('a', AWS, 'v1'), policyBytes: 2 * mb }];
    expect(withCreated(big, { ...saved('b', AWS, 'v2'), policyBytes: 2 * mb })).toHaveLength(2);
    expect(thrownApiError(() => withCreated(big, { ...saved('b', AWS, 'v2'), policyBytes: 2 * mb + 1 })).message).toMatch(
      /^The saved extensions' policies would be 4\.0 MB as JSON together; at most 4 MB/,
    );
  });

  it('an update replaces the config with its policy, or keeps both; its updatedAt moves on; an unknown id is a 404', () => {
    const entries = [saved('a', AWS, 'v1')];
    const now = new Date('2026-12-07T00:00:00.000Z');
    const renamed = withUpdated(entries, 'a', { name: 'b' }, now).updated;
    expect(renamed).toMatchObject({ name: 'b', config: AWS, policyVersion: 'v1', updatedAt: '2026-12-07T00:00:00.001Z' });
    expect(withUpdated(entries, 'a', { config: { config: GOOGLE } }, now).updated).not.toHaveProperty('policyVersion');
    expect(thrownApiError(() => withUpdated(entries, 'x', { name: 'b' }, now)).status).toBe(404);
  });
});

describe('checkDeletable', () => {
  it('refuses (409) a saved extension the default extensions refer to, and only that one', () => {
    const defaults = [AWS, { name: 'saved-extension' as const, id: 'strict' }];
    expect(thrownApiError(() => checkDeletable('strict', defaults)).status).toBe(409);
    expect(() => checkDeletable('vision', defaults)).not.toThrow();
  });
});
