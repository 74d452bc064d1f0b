import { once } from '../runtime/once.js';
import { FileTags } from '../services/file-tags.js';
import { fileTable } from './file-table.js';

export const fileTags = once(() => new FileTags(fileTable()));
