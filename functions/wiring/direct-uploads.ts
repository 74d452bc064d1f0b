import { InboxTable } from '../adapters/inbox-table.js';
import { directUploadConfig, tableConfig } from '../runtime/config.js';
import { once } from '../runtime/once.js';
import type { DirectUploadsDeps } from '../services/direct-uploads.js';
import { fileLibrary } from './file-library.js';
import { presignedUrls } from './presigned-urls.js';

const { table } = tableConfig();
export const { maxS3UploadBytes } = directUploadConfig();

export const directUploads = once(
  (): DirectUploadsDeps => ({ files: fileLibrary(), presigned: presignedUrls(), inbox: new InboxTable(table), maxS3UploadBytes }),
);
