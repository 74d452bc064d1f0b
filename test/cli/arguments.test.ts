import { describe, expect, it } from 'vitest';
import { parseCommand, parseExtensionSpec, UsageError } from '../../cli/arguments.js';

const usageMessage = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a UsageError');
};

describe('--extension NAME:MINCONF:MAXTAGS', () => {
  it('reads the name, the least confidence and the most tags', () => {
    expect(parseExtensionSpec('aws-auto-tagging:80:10')).toEqual({ name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 });
    expect(parseExtensionSpec('google-auto-tagging:72.5:0')).toEqual({ name: 'google-auto-tagging', minConfidence: 72.5, maxTags: 0 });
  });

  it.each([
    [
      'aws-auto-tagging:80',
      '--extension "aws-auto-tagging:80" is not NAME:MINCONF:MAXTAGS. Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'aws-auto-tagging:80:10:1',
      '--extension "aws-auto-tagging:80:10:1" is not NAME:MINCONF:MAXTAGS. Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'aws-auto-tagging::10',
      '--extension "aws-auto-tagging::10": MINCONF must be a number from 0 to 100 (got ""). Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'aws-auto-tagging:high:10',
      '--extension "aws-auto-tagging:high:10": MINCONF must be a number from 0 to 100 (got "high"). Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'aws-auto-tagging:80:2.5',
      '--extension "aws-auto-tagging:80:2.5": MAXTAGS must be a whole number from 0 to 30 (got "2.5"). Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'aws-auto-tagging:101:10',
      '--extension "aws-auto-tagging:101:10": minConfidence must be between 0 and 100. Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'aws-auto-tagging:80:31',
      '--extension "aws-auto-tagging:80:31": maxTags must be an integer between 0 and 30. Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      'azure-tagging:80:10',
      '--extension "azure-tagging:80:10": name must be one of aws-auto-tagging, google-auto-tagging (got "azure-tagging"). Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
  ])('refuses %s, saying why', (spec, message) => {
    expect(usageMessage(() => parseExtensionSpec(spec))).toBe(message);
  });
});

describe('parseCommand', () => {
  it('reads a retag with every option', () => {
    const argv = [
      'retag',
      '--path',
      '/shoots/',
      '--query',
      'tags IN ["summer"]',
      '--extension',
      'aws-auto-tagging:80:10',
      '--extension',
      'google-auto-tagging:70:5',
      '--remove-ai-tags',
      '--max-files',
      '500',
      '--webhook-url',
      'https://example.com/hooks',
      '--dry-run',
      '--yes',
    ];
    expect(parseCommand(argv)).toEqual({
      name: 'retag',
      request: {
        path: '/shoots/',
        searchQuery: 'tags IN ["summer"]',
        extensions: [
          { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 10 },
          { name: 'google-auto-tagging', minConfidence: 70, maxTags: 5 },
        ],
        removeAITags: true,
        maxFiles: 500,
        webhookUrl: 'https://example.com/hooks',
      },
      dryRunOnly: true,
      yes: true,
    });
  });

  it('leaves out what is not given, and takes -y for --yes', () => {
    expect(parseCommand(['retag', '--extension=aws-auto-tagging:50:5', '-y'])).toEqual({
      name: 'retag',
      request: { extensions: [{ name: 'aws-auto-tagging', minConfidence: 50, maxTags: 5 }], removeAITags: false },
      dryRunOnly: false,
      yes: true,
    });
  });

  it('asks for the tag policy to be re-applied with --reapply-policy', () => {
    expect(parseCommand(['retag', '--extension', 'aws-auto-tagging:0:30', '--reapply-policy', '--path', '/shoots/'])).toMatchObject({
      name: 'retag',
      request: { extensions: [{ name: 'aws-auto-tagging', minConfidence: 0, maxTags: 30 }], reapplyPolicy: true, path: '/shoots/' },
    });
  });

  it('takes saved extensions by id with --saved-extension, beside --extension', () => {
    expect(
      parseCommand(['retag', '--saved-extension', ' 3f0c2b7e ', '--extension', 'google-auto-tagging:70:5', '--saved-extension=a1']),
    ).toMatchObject({
      name: 'retag',
      request: {
        extensions: [
          { name: 'google-auto-tagging', minConfidence: 70, maxTags: 5 },
          { name: 'saved-extension', id: '3f0c2b7e' },
          { name: 'saved-extension', id: 'a1' },
        ],
      },
    });
    expect(usageMessage(() => parseCommand(['retag', '--saved-extension', ' ']))).toBe(
      '--saved-extension needs the id of a saved extension (GET /v1/saved-extensions lists them)',
    );
  });

  it('reads jobs, jobs JOB_ID, cancel JOB_ID and help', () => {
    expect(parseCommand(['jobs'])).toEqual({ name: 'list-jobs' });
    expect(parseCommand(['jobs', 'job_0123456789abcdef01234567'])).toEqual({ name: 'follow-job', jobId: 'job_0123456789abcdef01234567' });
    expect(parseCommand(['cancel', 'job_0123456789abcdef01234567'])).toEqual({ name: 'cancel', jobId: 'job_0123456789abcdef01234567' });
    expect(parseCommand(['--help'])).toEqual({ name: 'help' });
    expect(parseCommand(['-h'])).toEqual({ name: 'help' });
    expect(parseCommand(['retag', '--help'])).toEqual({ name: 'help' });
  });

  it.each([
    [[], 'Missing a command'],
    [['tag'], 'Unknown command "tag"'],
    [
      ['retag', '--path', '/shoots/'],
      'retag needs at least one --extension or --saved-extension. Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.',
    ],
    [
      ['retag', '--extension', 'aws-auto-tagging:80:10', '--extension', 'aws-auto-tagging:50:3'],
      '--extension aws-auto-tagging is given more than once: each extension may appear once',
    ],
    [['retag', '--extension', 'aws-auto-tagging:80:10', '--max-files', '0'], '--max-files must be a whole number from 1 (got "0")'],
    [['retag', '--extension', 'aws-auto-tagging:80:10', '--max-files', 'ten'], '--max-files must be a whole number from 1 (got "ten")'],
    [['retag', '--extension', 'aws-auto-tagging:80:10', 'photos'], 'retag takes no arguments besides options (got "photos")'],
    [['cancel'], 'cancel needs the JOB_ID of the job (aitags jobs lists them)'],
    [['jobs', 'a', 'b'], 'jobs takes one JOB_ID at most (got "a b")'],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageMessage(() => parseCommand(argv))).toBe(message);
  });

  it('turns the option parser’s errors into usage errors', () => {
    expect(usageMessage(() => parseCommand(['retag', '--extension', 'aws-auto-tagging:80:10', '--colour', 'red']))).toMatch(
      /Unknown option '--colour'/,
    );
    expect(usageMessage(() => parseCommand(['retag', '--extension']))).toMatch(/--extension/);
  });
});
