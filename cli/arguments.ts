import { parseArgs } from 'node:util';
import { describeFirstIssue } from '../functions/core/field-issues.js';
import { type Extension, extensionSchema, type RequestedExtension } from '../functions/core/extensions.js';
import { SAVED_EXTENSION } from '../functions/core/extension-names.js';

/** What the command line asks for, checked: the commands get typed values, never raw strings. */
export type Command =
  | { name: 'help' }
  | { name: 'retag'; request: RetagRequest; dryRunOnly: boolean; yes: boolean }
  | { name: 'list-jobs' }
  | { name: 'follow-job'; jobId: string }
  | { name: 'cancel'; jobId: string };

/** The selection and settings of a tagging job, as POST /v1/tagging-jobs takes them (without `dryRun`). */
export interface RetagRequest {
  path?: string;
  searchQuery?: string;
  extensions: RequestedExtension[];
  removeAITags: boolean;
  /** Re-apply the tag policy and each file's rejections to stored AI tags: no provider call. */
  reapplyPolicy?: boolean;
  maxFiles?: number;
  webhookUrl?: string;
}

/** The command line is wrong: the message says what and the usage follows (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage:
  aitags retag --extension NAME:MINCONF:MAXTAGS | --saved-extension ID [… more] [--path P] [--query Q]
               [--remove-ai-tags] [--reapply-policy] [--max-files N] [--webhook-url U] [--dry-run] [--yes]
      Re-tag the images under --path (and below) that match --query (ImageKit's searchQuery),
      all images when neither is given. Prints the number of files and the estimated provider
      cost first, asks before starting (--yes: don't ask), then follows the job.
        --extension       aws-auto-tagging or google-auto-tagging, the least confidence (0–100)
                          and the most tags (0–30), e.g. aws-auto-tagging:80:10; repeatable
        --saved-extension ID
                          a saved extension (GET /v1/saved-extensions) by its id: its config and,
                          if it has one, its tag policy; repeatable, beside --extension
        --remove-ai-tags  drop every file's AI tags before tagging it again
        --reapply-policy  apply the current tag policy and each file's rejected tags to the
                          stored AI tags of the extensions named: no provider call, no cost
        --max-files N     tag at most N files
        --webhook-url U   POST the job's result to U when it ends
        --dry-run         print the estimate and stop
        --yes, -y         start without asking (needed when stdin is not a terminal)
  aitags jobs             list the tagging jobs, newest first
  aitags jobs JOB_ID      follow a job until it ends (Ctrl-C stops following, not the job)
  aitags cancel JOB_ID    cancel a job that is planning or running
  aitags --help           this text

Environment:
  AITAGS_URL          the aitags API (default http://127.0.0.1:3000)
  AITAGS_PRIVATE_KEY  the private key (npm start prints it; locally it is in .aitags/private-key)

Exit codes: 0 done (job succeeded), 1 the job failed or was cancelled, or the API answered an error,
2 bad usage, 130 stopped following with Ctrl-C.`;

export const EXTENSION_SPEC_HELP = 'Give --extension as NAME:MINCONF:MAXTAGS, e.g. aws-auto-tagging:80:10.';

/** `aws-auto-tagging:80:10` → `{ name, minConfidence, maxTags }`, by the rules the API applies to `extensions`. */
export function parseExtensionSpec(spec: string): Extension {
  const parts = spec.split(':');
  if (parts.length !== 3) throw new UsageError(`--extension "${spec}" is not NAME:MINCONF:MAXTAGS. ${EXTENSION_SPEC_HELP}`);
  const [name = '', minConfidence = '', maxTags = ''] = parts;
  if (!/^\d+(\.\d+)?$/.test(minConfidence)) {
    throw new UsageError(`--extension "${spec}": MINCONF must be a number from 0 to 100 (got "${minConfidence}"). ${EXTENSION_SPEC_HELP}`);
  }
  if (!/^\d+$/.test(maxTags)) {
    throw new UsageError(`--extension "${spec}": MAXTAGS must be a whole number from 0 to 30 (got "${maxTags}"). ${EXTENSION_SPEC_HELP}`);
  }
  const result = extensionSchema.safeParse({ name, minConfidence: Number(minConfidence), maxTags: Number(maxTags) });
  if (!result.success) throw new UsageError(`--extension "${spec}": ${describeFirstIssue(result.error)}. ${EXTENSION_SPEC_HELP}`);
  return result.data;
}

function parsePositiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`${option} must be a whole number from 1 (got "${text}")`);
  return value;
}

function parseRetag(args: string[]): Command {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      path: { type: 'string' },
      query: { type: 'string' },
      extension: { type: 'string', multiple: true },
      'saved-extension': { type: 'string', multiple: true },
      'remove-ai-tags': { type: 'boolean' },
      'reapply-policy': { type: 'boolean' },
      'max-files': { type: 'string' },
      'webhook-url': { type: 'string' },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
    },
  });
  if (positionals.length) throw new UsageError(`retag takes no arguments besides options (got "${positionals.join(' ')}")`);
  const specs = values.extension ?? [];
  const savedIds = values['saved-extension'] ?? [];
  if (!specs.length && !savedIds.length) throw new UsageError(`retag needs at least one --extension or --saved-extension. ${EXTENSION_SPEC_HELP}`);
  const extensions = specs.map(parseExtensionSpec);
  const repeated = extensions.find((extension, index) => extensions.findIndex((other) => other.name === extension.name) !== index);
  if (repeated) throw new UsageError(`--extension ${repeated.name} is given more than once: each extension may appear once`);
  const blank = savedIds.find((id) => !id.trim());
  if (blank !== undefined) throw new UsageError('--saved-extension needs the id of a saved extension (GET /v1/saved-extensions lists them)');
  // Which extension a saved one runs is the API's to resolve: it refuses an unknown id or two entries running one extension.
  const request: RetagRequest = {
    extensions: [...extensions, ...savedIds.map((id) => ({ name: SAVED_EXTENSION, id: id.trim() }))],
    removeAITags: values['remove-ai-tags'] ?? false,
    ...(values['reapply-policy'] && { reapplyPolicy: true }),
    ...(values.path !== undefined && { path: values.path }),
    ...(values.query !== undefined && { searchQuery: values.query }),
    ...(values['max-files'] !== undefined && { maxFiles: parsePositiveInteger('--max-files', values['max-files']) }),
    ...(values['webhook-url'] !== undefined && { webhookUrl: values['webhook-url'] }),
  };
  return { name: 'retag', request, dryRunOnly: values['dry-run'] ?? false, yes: values.yes ?? false };
}

/** The one JOB_ID a command may take, if given. */
function jobIdArgument(command: string, args: string[]): string | undefined {
  const { positionals } = parseArgs({ args, strict: true, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new UsageError(`${command} takes one JOB_ID at most (got "${positionals.join(' ')}")`);
  return positionals[0];
}

/** `process.argv.slice(2)` → the command; throws a UsageError for anything else. */
export function parseCommand(argv: readonly string[]): Command {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help' || args.includes('--help') || args.includes('-h')) {
    if (name === undefined) throw new UsageError('Missing a command');
    return { name: 'help' };
  }
  try {
    switch (name) {
      case 'retag':
        return parseRetag(args);
      case 'jobs': {
        const jobId = jobIdArgument('jobs', args);
        return jobId === undefined ? { name: 'list-jobs' } : { name: 'follow-job', jobId };
      }
      case 'cancel': {
        const jobId = jobIdArgument('cancel', args);
        if (jobId === undefined) throw new UsageError('cancel needs the JOB_ID of the job (aitags jobs lists them)');
        return { name: 'cancel', jobId };
      }
      default:
        throw new UsageError(`Unknown command "${name}"`);
    }
  } catch (error) {
    // parseArgs' own errors (unknown option, missing value) are usage errors too.
    if (error instanceof TypeError && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
