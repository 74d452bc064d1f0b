import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXTENSIONS_HELP } from '../../../functions/core/extensions.js';
import { WEBHOOK_URL_HELP } from '../../../functions/core/file-fields.js';
import {
  base64FieldLimit,
  maxBase64FileBytes,
  type FilePart,
  type MultipartFields,
  parseUploadRequest,
  type UploadRequest,
} from '../../../functions/core/upload-request.js';
import { thrownApiError } from '../../support/thrown-api-error.js';

const MAX_BYTES = 64;
/** Bytes whose base64 uses `+` and `/`, so base64url decoding is exercised too. */
const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x10, 0x83, 0x49, 0x44]);
const part = (content: Buffer, extra: Partial<FilePart> = {}): FilePart => ({
  filename: 'blob',
  mimetype: 'application/octet-stream',
  content,
  ...extra,
});
const upload = (fields: MultipartFields, maxBytes = MAX_BYTES): UploadRequest =>
  parseUploadRequest({ file: part(bytes), fileName: 'beach.jpg', ...fields }, maxBytes);
const uploadError = (fields: MultipartFields, maxBytes = MAX_BYTES) => thrownApiError(() => upload(fields, maxBytes));

describe('parseUploadRequest: the file', () => {
  it('reads the same bytes from a binary part, a base64 string, a base64url string and a data: URI', () => {
    // Prepare
    const base64 = bytes.toString('base64');
    const forms: MultipartFields['file'][] = [
      part(bytes),
      base64,
      bytes.toString('base64url'),
      `data:image/jpeg;base64,${base64}`,
      `${base64.slice(0, 4)}\r\n${base64.slice(4)}`,
    ];

    // Act
    const read = forms.map((file) => upload({ file }).bytes);

    // Assess
    expect(base64).toBe('+/+/ABCDSUQ=');
    for (const result of read) expect(result).toEqual(bytes);
  });

  it('reads the same bytes from every form for any non-empty content within the limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: MAX_BYTES }), (array) => {
        // Prepare
        const content = Buffer.from(array);
        const base64 = content.toString('base64');

        // Act
        const fromPart = upload({ file: part(content) }).bytes;
        const fromBase64 = upload({ file: base64 }).bytes;
        const fromDataUri = upload({ file: `data:application/octet-stream;base64,${base64}` }).bytes;

        // Assess
        expect(fromPart).toEqual(content);
        expect(fromBase64).toEqual(content);
        expect(fromDataUri).toEqual(content);
      }),
    );
  });

  it.each([
    { case: 'text that is not base64', file: 'hello, world!' },
    { case: 'base64 of an impossible length', file: 'QUJDR' },
    { case: 'a data: URI without ;base64', file: 'data:text/plain,hello' },
  ])('rejects $case with a 400', ({ file }) => {
    // Act
    const error = uploadError({ file });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('file is neither a binary part nor valid base64');
    expect(error.help).not.toBe('');
  });

  it.each([
    { case: 'an empty binary part', file: part(Buffer.alloc(0)) },
    { case: 'an empty base64 string', file: '' },
    { case: 'an empty data: URI', file: 'data:image/png;base64,' },
  ])('rejects $case with a 400 "file is empty"', ({ file }) => {
    // Act
    const error = uploadError({ file });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('file is empty');
    expect(error.help).not.toBe('');
  });

  it('rejects a missing file with a 400 naming the file field', () => {
    // Act
    const error = thrownApiError(() => parseUploadRequest({ fileName: 'beach.jpg' }, MAX_BYTES));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('file is required');
    expect(error.help).not.toBe('');
  });

  it('rejects a file sent twice with a 400', () => {
    // Act
    const error = uploadError({ file: [part(bytes), part(bytes)] });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('file must be sent once');
  });

  it('accepts a binary part of exactly maxBytes', () => {
    // Prepare
    const content = Buffer.alloc(MAX_BYTES, 7);

    // Act
    const request = upload({ file: part(content) });

    // Assess
    expect(request.bytes).toEqual(content);
  });

  it.each([
    { case: 'a binary part one byte over maxBytes', file: part(Buffer.alloc(MAX_BYTES + 1, 7)) },
    { case: 'a binary part the parser truncated', file: part(Buffer.alloc(MAX_BYTES, 7), { truncated: true }) },
    { case: 'a base64 field at the field-size limit', file: 'A'.repeat(base64FieldLimit(MAX_BYTES)) },
  ])('rejects $case with a 413 pointing to the direct-to-S3 flow', ({ file }) => {
    // Act
    const error = uploadError({ file });

    // Assess
    expect(error.status).toBe(413);
    expect(error.message).toBe(`file is larger than the ${MAX_BYTES}-byte limit for direct uploads`);
    expect(error.help).toContain('/api/v1/files/upload-url');
  });
});

describe('parseUploadRequest: base64 limit', () => {
  it('accepts base64 up to three quarters of maxBytes, so the twice-encoded event fits Lambda', () => {
    const content = Buffer.alloc(maxBase64FileBytes(MAX_BYTES), 7);
    expect(upload({ file: content.toString('base64') }).bytes).toEqual(content);
  });

  it('rejects base64 one byte over that with a 413 that suggests a binary part or the direct-to-S3 flow', () => {
    const error = uploadError({ file: Buffer.alloc(maxBase64FileBytes(MAX_BYTES) + 1, 7).toString('base64') });
    expect(error.status).toBe(413);
    expect(error.message).toBe(`file sent as base64 is larger than the ${maxBase64FileBytes(MAX_BYTES)}-byte limit for base64 uploads`);
    expect(error.help).toContain('binary multipart part');
    expect(error.help).toContain('/api/v1/files/upload-url');
  });
});

describe('parseUploadRequest: text fields', () => {
  it('applies the defaults when only file and fileName are sent', () => {
    // Act
    const request = parseUploadRequest({ file: part(bytes), fileName: 'beach.jpg' }, MAX_BYTES);

    // Assess
    expect(request).toEqual({
      bytes,
      fileName: 'beach.jpg',
      useUniqueFileName: true,
      folder: '/',
      tags: null,
      isPrivateFile: false,
      customCoordinates: null,
      customMetadata: undefined,
      extensions: [],
      webhookUrl: undefined,
      overwriteFile: true,
      overwriteAITags: true,
      overwriteTags: true,
      overwriteCustomMetadata: true,
      responseFields: [],
    });
  });

  it('reads every field the contract lists', () => {
    // Prepare
    const fields: MultipartFields = {
      file: part(bytes),
      fileName: 'beach.jpg',
      useUniqueFileName: 'false',
      folder: 'holidays/2024',
      tags: 'summer,sea',
      isPrivateFile: 'true',
      customCoordinates: '10,10,100,120',
      customMetadata: '{"brand":"acme","rating":5}',
      extensions: '[{"name":"aws-auto-tagging","minConfidence":80,"maxTags":5}]',
      webhookUrl: 'https://hooks.example.com/aitags',
      overwriteFile: 'false',
      overwriteAITags: 'false',
      overwriteTags: 'false',
      overwriteCustomMetadata: 'false',
      responseFields: 'tags,customMetadata',
    };

    // Act
    const request = parseUploadRequest(fields, MAX_BYTES);

    // Assess
    expect(request).toEqual({
      bytes,
      fileName: 'beach.jpg',
      useUniqueFileName: false,
      folder: '/holidays/2024/',
      tags: ['summer', 'sea'],
      isPrivateFile: true,
      customCoordinates: '10,10,100,120',
      customMetadata: { brand: 'acme', rating: 5 },
      extensions: [{ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 5 }],
      webhookUrl: 'https://hooks.example.com/aitags',
      overwriteFile: false,
      overwriteAITags: false,
      overwriteTags: false,
      overwriteCustomMetadata: false,
      responseFields: ['tags', 'customMetadata'],
    });
  });

  it('rejects a missing fileName with a 400 naming fileName', () => {
    // Act
    const error = thrownApiError(() => parseUploadRequest({ file: part(bytes) }, MAX_BYTES));

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('fileName is required');
    expect(error.help).not.toBe('');
  });

  it.each([
    { case: 'an empty fileName', fileName: '', message: 'fileName must be 1 to 255 characters long' },
    { case: 'a 256-character fileName', fileName: `${'a'.repeat(252)}.jpg`, message: 'fileName must be 1 to 255 characters long' },
    { case: 'a fileName with "/"', fileName: 'holidays/beach.jpg', message: 'fileName must not contain "/"' },
    { case: 'a fileName of dots only', fileName: '..', message: 'fileName must not consist of dots only' },
    {
      case: 'a 224-character fileName (234 with the unique suffix)',
      fileName: `${'a'.repeat(220)}.jpg`,
      message: 'fileName is 224 characters long, 234 with the unique suffix; a file name may be at most 233',
    },
  ])('rejects $case with a 400', ({ fileName, message }) => {
    // Act
    const error = uploadError({ fileName });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
    expect(error.help).not.toBe('');
  });

  it.each([
    { fileName: 'my photo (1).jpg', stored: 'my_photo__1_.jpg' },
    { fileName: 'café.jpg', stored: 'caf_.jpg' },
    { fileName: 'a\\b:c?.png', stored: 'a_b_c_.png' },
    { fileName: 'Already-Safe_name.2.JPG', stored: 'Already-Safe_name.2.JPG' },
    { fileName: `${'a'.repeat(219)}.jpg`, stored: `${'a'.repeat(219)}.jpg` },
  ])('stores fileName $fileName as $stored', ({ fileName, stored }) => {
    expect(upload({ fileName }).fileName).toBe(stored);
  });

  it.each([
    { folder: '/', normalized: '/' },
    { folder: '', normalized: '/' },
    { folder: 'a//b', normalized: '/a/b/' },
    { folder: '/a/b/', normalized: '/a/b/' },
    { folder: './a/./b/.', normalized: '/a/b/' },
    { folder: '/my folder/x:y/', normalized: '/my_folder/x_y/' },
  ])('normalizes folder "$folder" to "$normalized"', ({ folder, normalized }) => {
    expect(upload({ folder }).folder).toBe(normalized);
  });

  it.each(['..', '/a/../b/', 'a/..'])('rejects folder "%s" with a 400 for its ".." segment', (folder) => {
    // Act
    const error = uploadError({ folder });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('folder must not contain a ".." segment');
  });

  it('splits tags on commas, trims them, drops empty and repeated ones', () => {
    expect(upload({ tags: ' summer, sea ,,summer' }).tags).toEqual(['summer', 'sea']);
  });

  it('splits tags sent as repeated fields the same way', () => {
    expect(upload({ tags: ['summer,sea', 'beach'] }).tags).toEqual(['summer', 'sea', 'beach']);
  });

  it('stores an empty tags field as no tags', () => {
    expect(upload({ tags: '' }).tags).toBeNull();
  });

  it('accepts tags of exactly 500 characters in all, commas included', () => {
    // Prepare
    const tags = `${'a'.repeat(250)},${'b'.repeat(249)}`;

    // Act
    const request = upload({ tags });

    // Assess
    expect(request.tags).toEqual(['a'.repeat(250), 'b'.repeat(249)]);
  });

  it.each([
    { case: 'one 501-character tag', tags: 'a'.repeat(501) },
    { case: 'two tags of 501 characters with the comma', tags: `${'a'.repeat(250)},${'b'.repeat(250)}` },
  ])('rejects $case with a 400 naming tags', ({ tags }) => {
    // Act
    const error = uploadError({ tags });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('tags must be at most 500 characters in all');
  });

  it.each([
    { customCoordinates: '10,20,100,120', stored: '10,20,100,120' },
    { customCoordinates: ' 0, 0 ,1, 1 ', stored: '0,0,1,1' },
    { customCoordinates: '', stored: null },
  ])('stores customCoordinates "$customCoordinates" as $stored', ({ customCoordinates, stored }) => {
    expect(upload({ customCoordinates }).customCoordinates).toBe(stored);
  });

  it.each(['10,20,100', '-1,0,10,10', '1.5,0,10,10', 'a,b,c,d', '1,2,3,4,5'])(
    'rejects customCoordinates "%s" with a 400 naming the field',
    (customCoordinates) => {
      // Act
      const error = uploadError({ customCoordinates });

      // Assess
      expect(error.status).toBe(400);
      expect(error.message).toBe(`customCoordinates must be "x,y,width,height" of non-negative integers (got ${JSON.stringify(customCoordinates)})`);
    },
  );

  it.each([
    { case: 'an array', customMetadata: '["acme"]', message: 'customMetadata must be a JSON object' },
    { case: 'a number', customMetadata: '42', message: 'customMetadata must be a JSON object' },
    { case: 'null', customMetadata: 'null', message: 'customMetadata must be a JSON object' },
    { case: 'invalid JSON', customMetadata: '{brand: acme}', message: 'customMetadata is not valid JSON' },
  ])('rejects customMetadata that is $case with a 400', ({ customMetadata, message }) => {
    // Act
    const error = uploadError({ customMetadata });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
    expect(error.help).not.toBe('');
  });

  it.each(['useUniqueFileName', 'isPrivateFile', 'overwriteFile', 'overwriteAITags', 'overwriteTags', 'overwriteCustomMetadata'])(
    'reads %s only as "true" or "false"',
    (field) => {
      // Act
      const whenTrue = upload({ [field]: 'true' });
      const whenFalse = upload({ [field]: 'false' });
      const errors = ['TRUE', '1', 'yes', ''].map((value) => uploadError({ [field]: value }));

      // Assess
      expect(whenTrue).toMatchObject({ [field]: true });
      expect(whenFalse).toMatchObject({ [field]: false });
      for (const error of errors) {
        expect(error.status).toBe(400);
        expect(error.message).toBe(`${field} must be "true" or "false"`);
      }
    },
  );

  it('rejects an unknown field with a 400 naming it', () => {
    // Act
    const error = uploadError({ description: 'a beach' });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('Unsupported field(s) "description"');
    expect(error.help).not.toBe('');
  });

  it('rejects a file part in a text field with a 400 naming the field', () => {
    // Act
    const error = uploadError({ tags: part(Buffer.from('summer')) });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('tags must be a text field, not a file');
  });

  it('rejects a responseFields value it does not support with a 400 naming the value', () => {
    // Act
    const error = uploadError({ responseFields: 'tags,embeddedMetadata' });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('responseFields has unsupported value(s) embeddedMetadata');
    expect(error.help).toBe('Supported: tags, customCoordinates, isPrivateFile, customMetadata.');
  });

  it('reads responseFields sent as repeated fields', () => {
    expect(upload({ responseFields: ['isPrivateFile', 'customCoordinates'] }).responseFields).toEqual(['isPrivateFile', 'customCoordinates']);
  });

  it('rejects invalid extensions with the 400 of the extensions rules', () => {
    // Prepare
    const extensions = JSON.stringify([
      { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 5 },
      { name: 'google-auto-tagging', minConfidence: 101, maxTags: 5 },
    ]);

    // Act
    const error = uploadError({ extensions });

    // Assess
    expect(error.status).toBe(400);
    expect(error.message).toBe('extensions[1].minConfidence must be between 0 and 100');
    expect(error.help).toBe(EXTENSIONS_HELP);
  });

  it.each(['http://127.0.0.1:9000/hook', 'https://hooks.example.com/aitags?x=1'])('accepts webhookUrl %s', (webhookUrl) => {
    expect(upload({ webhookUrl }).webhookUrl).toBe(webhookUrl);
  });

  it.each(['ftp://hooks.example.com/aitags', '/hooks/aitags', 'hooks.example.com', 'javascript:alert(1)', ''])(
    'rejects webhookUrl "%s" with a 400 naming webhookUrl',
    (webhookUrl) => {
      // Act
      const error = uploadError({ webhookUrl });

      // Assess
      expect(error.status).toBe(400);
      expect(error.message).toBe('webhookUrl must be an absolute http(s) URL');
      expect(error.help).toBe(WEBHOOK_URL_HELP);
    },
  );
});
