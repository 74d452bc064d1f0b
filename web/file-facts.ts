import type { FileObject } from './api.js';

/** 1 KB = 1024 bytes, as the search language counts sizes. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export const dimensionsText = (file: Pick<FileObject, 'width' | 'height'>) =>
  file.width !== undefined && file.height !== undefined ? `${file.width} × ${file.height}` : undefined;

/** What a file is called where no thumbnail shows it: its format, from the MIME type (`image/svg+xml` → `SVG`). */
export const formatText = (mime: string) => (mime.split('/')[1] ?? mime).replace(/^x-/, '').replace(/\+.*$/, '').toUpperCase();
