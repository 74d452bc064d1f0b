import { describe, expect, it } from 'vitest';
import { parseDetailsChange } from '../../../functions/core/details-change.js';
import { applyDetailsChange } from '../../../functions/core/file-record.js';
import { EXTENSIONS_HELP } from '../../../functions/core/extensions.js';
import { WEBHOOK_URL_HELP } from '../../../functions/core/file-fields.js';
import { flattenAITags } from '../../../functions/core/file-record.js';
import { deepFreeze, fileRecord } from '../../support/sample-files.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const NOW = '2024-06-01T12:00:00.000Z';

describe('parseDetailsChange', () => {
  it('reads every field the contract lists', () => {
    // Prepare
    const body = {
      tags: ['summer', 'sea'],
      customCoordinates: '1,2,3,4',
      customMetadata: { brand: 'acme', color: null },
      removeAITags: ['Cat'],
      extensions: [{ name: 'google-auto-tagging', minConfidence: 50, maxTags: 3 }],
      webhookUrl: 'https://hooks.example.com/aitags',
    };

    // Act
    const change = parseDetailsChange(body);

    // Assess
    expect(change).toEqual(body);
  });

  it('accepts an empty object as no change', () => {
    expect(parseDetailsChange({})).toEqual({});
  });

  it('keeps tags null as null and trims, de-duplicates and drops empty tags', () => {
    expect(parseDetailsChange({ tags: null })).toEqual({ tags: null });
    expect(parseDetailsChange({ tags: [' summer ', 'summer', '', 'sea'] })).toEqual({ tags: ['summer', 'sea'] });
  });

  it('reads an empty customCoordinates as null, and null as null', () => {
    expect(parseDetailsChange({ customCoordinates: '' })).toEqual({ customCoordinates: null });
    expect(parseDetailsChange({ customCoordinates: null })).toEqual({ customCoordinates: null });
  });

  it('accepts removeAITags "all" and an array of names', () => {
    expect(parseDetailsChange({ removeAITags: 'all' })).toEqual({ removeAITags: 'all' });
    expect(parseDetailsChange({ removeAITags: ['Cat', 'Dog'] })).toEqual({ removeAITags: ['Cat', 'Dog'] });
  });

  it.each([
    { case: 'an array', body: [{ tags: ['a'] }] },
    { case: 'a string', body: 'tags=a' },
    { case: 'null', body: null },
    { case: 'a number', body: 42 },
  ])('rejects a body that is $case with a 400', ({ body }) => {
    // Act
    const error = thrownApiError(() => parseDetailsChange(body));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('The body must be a JSON object');
    expect(error.help).not.toBe('');
  });

  it.each([
    { case: 'an unknown field', body: { tags: ['a'], name: 'new.jpg' }, message: 'Unsupported field(s) "name"' },
    { case: 'tags as a string', body: { tags: 'a,b' }, message: 'tags must be an array of strings or null' },
    { case: 'a tag that is not a string', body: { tags: ['a', 7] }, message: 'tags[1] must hold strings only' },
    {
      case: 'tags over 500 characters in all',
      body: { tags: ['a'.repeat(250), 'b'.repeat(250)] },
      message: 'tags must be at most 500 characters in all',
    },
    { case: 'customCoordinates as a number', body: { customCoordinates: 5 }, message: 'customCoordinates must be a string or null' },
    {
      case: 'customCoordinates with three numbers',
      body: { customCoordinates: '1,2,3' },
      message: 'customCoordinates must be "x,y,width,height" of non-negative integers (got "1,2,3")',
    },
    { case: 'customMetadata as an array', body: { customMetadata: ['acme'] }, message: 'customMetadata must be a JSON object' },
    { case: 'customMetadata as a string', body: { customMetadata: '{"brand":"acme"}' }, message: 'customMetadata must be a JSON object' },
    { case: 'removeAITags as another string', body: { removeAITags: 'some' }, message: 'removeAITags must be "all" or an array of tag names' },
    { case: 'removeAITags with a number', body: { removeAITags: ['Cat', 1] }, message: 'removeAITags must be "all" or an array of tag names' },
  ])('rejects $case with a 400 naming the field', ({ body, message }) => {
    // Act
    const error = thrownApiError(() => parseDetailsChange(body));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
    expect(error.help).not.toBe('');
  });

  it('accepts tags of exactly 500 characters in all', () => {
    // Prepare
    const tags = ['a'.repeat(250), 'b'.repeat(249)];

    // Act
    const change = parseDetailsChange({ tags });

    // Assess
    expect(change).toEqual({ tags });
  });

  it('rejects invalid extensions with a 400 naming the entry and the extensions help', () => {
    // Prepare
    const body = {
      extensions: [
        { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 5 },
        { name: 'google-auto-tagging', minConfidence: 50, maxTags: 31 },
      ],
    };

    // Act
    const error = thrownApiError(() => parseDetailsChange(body));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('extensions[1].maxTags must be an integer between 0 and 30');
    expect(error.help).toBe(EXTENSIONS_HELP);
  });

  it.each(['ftp://hooks.example.com/x', '/relative/hook'])('rejects webhookUrl %s with a 400 and the webhook help', (webhookUrl) => {
    // Act
    const error = thrownApiError(() => parseDetailsChange({ webhookUrl }));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('webhookUrl must be an absolute http(s) URL');
    expect(error.help).toBe(WEBHOOK_URL_HELP);
  });
});

describe('applyDetailsChange', () => {
  it('changes nothing but updatedAt for an empty change', () => {
    // Prepare
    const record = fileRecord();

    // Act
    const next = applyDetailsChange(record, parseDetailsChange({}), NOW);

    // Assess
    expect(next).toEqual({ ...record, updatedAt: NOW });
  });

  it('replaces tags and customCoordinates, and clears them with null', () => {
    // Prepare
    const record = fileRecord();

    // Act
    const replaced = applyDetailsChange(record, parseDetailsChange({ tags: ['winter'], customCoordinates: '0,0,5,5' }), NOW);
    const cleared = applyDetailsChange(record, parseDetailsChange({ tags: null, customCoordinates: null }), NOW);

    // Assess
    expect(replaced).toMatchObject({ tags: ['winter'], customCoordinates: '0,0,5,5' });
    expect(cleared).toMatchObject({ tags: null, customCoordinates: null });
  });

  it('merges customMetadata key by key and removes a key set to null', () => {
    // Prepare
    const record = fileRecord({ customMetadata: { brand: 'acme', season: 'summer', rating: 4 } });
    const change = parseDetailsChange({ customMetadata: { season: null, rating: 5, size: 'L' } });

    // Act
    const next = applyDetailsChange(record, change, NOW);

    // Assess
    expect(next.customMetadata).toEqual({ brand: 'acme', rating: 5, size: 'L' });
  });

  it('removes AI tags by name case-insensitively across every source', () => {
    // Prepare
    const record = fileRecord();
    const change = parseDetailsChange({ removeAITags: ['CAT', 'beach'] });

    // Act
    const next = applyDetailsChange(record, change, NOW);

    // Assess
    expect(flattenAITags(next.aiTags)).toEqual([{ name: 'Sea', confidence: 97.12, source: 'google-auto-tagging' }]);
  });

  it('removes every AI tag with "all"', () => {
    // Act
    const next = applyDetailsChange(fileRecord(), parseDetailsChange({ removeAITags: 'all' }), NOW);

    // Assess
    expect(next.aiTags).toEqual({});
    expect(flattenAITags(next.aiTags)).toBeNull();
  });

  it('keeps AI tags for an empty removeAITags list', () => {
    // Prepare
    const record = fileRecord();

    // Act
    const next = applyDetailsChange(record, parseDetailsChange({ removeAITags: [] }), NOW);

    // Assess
    expect(next.aiTags).toEqual(record.aiTags);
  });

  it('sets updatedAt and keeps fileId, createdAt and version', () => {
    // Prepare
    const record = fileRecord();

    // Act
    const next = applyDetailsChange(record, parseDetailsChange({ tags: ['x'] }), NOW);

    // Assess
    expect(next).toMatchObject({ fileId: record.fileId, createdAt: record.createdAt, version: record.version, updatedAt: NOW });
  });

  it('does not mutate the record it is given', () => {
    // Prepare
    const record = deepFreeze(fileRecord());
    const before = structuredClone(record);
    const change = parseDetailsChange({
      tags: ['x'],
      customCoordinates: '',
      customMetadata: { brand: null, size: 'L' },
      removeAITags: ['cat'],
    });

    // Act
    applyDetailsChange(record, change, NOW);

    // Assess
    expect(record).toEqual(before);
  });
});
