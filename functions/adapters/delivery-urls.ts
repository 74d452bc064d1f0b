import type { DeliveryUrls } from '../core/file-object.js';
import { type FileRecord, objectKeys, THUMBNAIL_SEGMENT } from '../core/file-record.js';
import type { PresignedUrls } from './presigned-urls.js';

const PRIVATE_URL_SECONDS = 60 * 60;

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/** Public files: plain CDN URLs; private files: presigned S3 GETs that expire after an hour. */
export class DeliveryUrlBuilder {
  constructor(
    private readonly publicBaseUrl: string,
    private readonly presigned: PresignedUrls,
  ) {}

  async urlsFor(record: FileRecord): Promise<DeliveryUrls> {
    if (!record.isPrivateFile) {
      return {
        url: `${this.publicBaseUrl}${encodePath(record.filePath)}`,
        thumbnail: record.hasThumbnail ? `${this.publicBaseUrl}/${THUMBNAIL_SEGMENT}${encodePath(record.filePath)}` : '',
      };
    }
    const keys = objectKeys(record);
    return {
      url: await this.presigned.get(keys.original, PRIVATE_URL_SECONDS),
      thumbnail: keys.thumbnail ? await this.presigned.get(keys.thumbnail, PRIVATE_URL_SECONDS) : '',
    };
  }
}
