import { rejectionsConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import { FileLibrary } from '../services/file-library.js';
import { fileStore } from './file-store.js';
import { fileTable } from './file-table.js';

const { rememberRejections } = rejectionsConfig();

export const fileLibrary = once(() => new FileLibrary({ store: fileStore(), table: fileTable(), rememberRejections }));
