import sharp from 'sharp';

/** Small real images made on the spot, so tests carry no binary fixtures. */
export const jpeg = (width = 64, height = 48) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .toBuffer();

export const pngWithAlpha = (width = 40, height = 30) =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } })
    .png()
    .toBuffer();

export const webp = (width = 300, height = 500) =>
  sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 10 } } })
    .webp()
    .toBuffer();

export const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
