import { type Command, parseCommand, USAGE, UsageError } from './arguments.js';
import { type CliIo, type CommandContext, INTERRUPTED } from './command-context.js';
import { cancelJob, followJobCommand, listJobs } from './job-commands.js';
import { retag } from './retag.js';
import { readSettings, SettingsError } from './settings.js';
import { ApiError, ApiUnreachableError, TaggingJobsClient } from './tagging-jobs-client.js';

/**
 * The whole CLI short of the process: arguments, environment and streams in, exit code out.
 * 0 done, 1 the job failed or was cancelled or the API answered an error, 2 bad usage or settings, 130 Ctrl-C.
 */
export async function run(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
  signal: AbortSignal,
): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (command.name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let context: CommandContext;
  try {
    const settings = readSettings(env);
    context = { client: new TaggingJobsClient(settings.apiUrl, settings.privateKey), io, pollMs: settings.pollMs, signal };
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  try {
    switch (command.name) {
      case 'retag':
        return await retag(command, context);
      case 'list-jobs':
        return await listJobs(context);
      case 'follow-job':
        return await followJobCommand(command.jobId, context);
      case 'cancel':
        return await cancelJob(command.jobId, context);
    }
  } catch (error) {
    if (error instanceof ApiError) {
      io.stderr.write(`${error.message}\n${error.help ? `${error.help}\n` : ''}`);
      return 1;
    }
    if (error instanceof ApiUnreachableError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (signal.aborted) {
      io.stderr.write('Interrupted.\n');
      return INTERRUPTED;
    }
    throw error;
  }
}
