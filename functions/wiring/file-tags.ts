import { rejectionsConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { FileTags } from '../services/file-tags.js';
import { fileTable } from './file-table.js';

const { rememberRejections } = rejectionsConfig();

export const fileTags = once(() => new FileTags(fileTable(), undefined, rememberRejections));
