import sharp from 'sharp';

const WIDTH = 1600;
const HEIGHT = 1200;
/** Noise amplitude and JPEG quality picked so the photo weighs about 310 KB, like a phone photo scaled down. */
const NOISE = 28;
const QUALITY = 85;

/** A 1600×1200 JPEG of about 310 KB: gradients, a soft pattern and seeded noise, identical on every run. */
export async function benchPhoto(): Promise<Buffer> {
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  let seed = 0x2545f491;
  const noise = () => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return (seed / 2 ** 32 - 0.5) * NOISE;
  };
  const channel = (value: number) => Math.min(255, Math.max(0, value + noise()));
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const at = (y * WIDTH + x) * 3;
      pixels[at] = channel((x / WIDTH) * 200 + 30);
      pixels[at + 1] = channel((y / HEIGHT) * 180 + 40);
      pixels[at + 2] = channel(128 + 60 * Math.sin(x / 90) * Math.cos(y / 70));
    }
  }
  return sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: QUALITY })
    .toBuffer();
}

/** A photo-like gradient JPEG of this size: the local stack reads and prepares it in a few ms. */
export function gradientJpeg(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([Math.round((x / width) * 200 + 30), Math.round((y / height) * 180 + 40), 128], (y * width + x) * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}
