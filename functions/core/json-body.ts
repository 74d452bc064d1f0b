import type * as z from 'zod/mini';
import { type ApiError, badRequest } from './errors.js';
import { EXTENSIONS_HELP } from './extensions.js';
import { describeFirstIssue } from './field-issues.js';
import { WEBHOOK_URL_HELP } from './file-fields.js';

/** A JSON body that failed its schema → the 400 naming the field, with the help for that field or `help`. */
export function jsonBodyError(error: z.core.$ZodError, help: string): ApiError {
  const message = describeFirstIssue(error);
  const fieldHelp = message.startsWith('extensions') ? EXTENSIONS_HELP : message.startsWith('webhookUrl') ? WEBHOOK_URL_HELP : help;
  return badRequest(message === 'request must be a JSON object' ? 'The body must be a JSON object' : message, fieldHelp);
}
