import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { FakeLabel } from '../local/fakes/providers.js';
import { launchChromium } from '../test/support/chromium.js';
import { startProviders } from '../test/support/providers.js';
import { startTestStack } from '../test/support/test-stack.js';

/**
 * `npm run screenshots`: the README's pictures of the page (docs/media-library-*.png), taken from a
 * throwaway local stack with the provider fakes, each fake told what it "sees" in each drawn image.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const docsDir = process.argv[2] ?? fileURLToPath(new URL('../docs/', import.meta.url));

interface Scene {
  name: string;
  svg: string;
  labels: FakeLabel[];
  tags?: string[];
}

const scene = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">${body}</svg>`;
const SCENES: Scene[] = [
  {
    name: 'beach.jpg',
    svg: scene(
      '<rect width="640" height="300" fill="#7cc3f0"/><circle cx="500" cy="110" r="55" fill="#ffd35c"/><rect y="250" width="640" height="90" fill="#2f7fb8"/><rect y="330" width="640" height="150" fill="#edd59a"/>',
    ),
    labels: [
      { name: 'Beach', confidence: 98.62 },
      { name: 'Sea', confidence: 96.1 },
      { name: 'Sand', confidence: 92.4 },
    ],
    tags: ['holiday'],
  },
  {
    name: 'forest.jpg',
    svg: scene(
      `<rect width="640" height="480" fill="#cfe8d2"/>${[60, 190, 320, 450, 580].map((x) => `<polygon points="${x},90 ${x - 70},400 ${x + 70},400" fill="#2e6b3a"/><rect x="${x - 10}" y="400" width="20" height="60" fill="#6b4a2b"/>`).join('')}`,
    ),
    labels: [
      { name: 'Forest', confidence: 97.8 },
      { name: 'Tree', confidence: 96.45 },
      { name: 'Conifer', confidence: 90.2 },
    ],
  },
  {
    name: 'city-night.jpg',
    svg: scene(
      `<rect width="640" height="480" fill="#1b2340"/>${[
        [20, 180],
        [120, 120],
        [220, 220],
        [330, 80],
        [450, 160],
        [540, 200],
      ]
        .map(([x, y]) => `<rect x="${x}" y="${y}" width="90" height="${480 - (y ?? 0)}" fill="#3b4466"/>`)
        .join('')}<circle cx="560" cy="70" r="30" fill="#f3f0d0"/>`,
    ),
    labels: [
      { name: 'City', confidence: 97.2 },
      { name: 'Night', confidence: 94.81 },
      { name: 'Skyscraper', confidence: 91.3 },
    ],
    tags: ['print'],
  },
  {
    name: 'ginger-cat.jpg',
    svg: scene(
      '<rect width="640" height="480" fill="#f4e9dc"/><polygon points="220,170 250,60 300,150" fill="#e08a3c"/><polygon points="420,170 390,60 340,150" fill="#e08a3c"/><circle cx="320" cy="250" r="150" fill="#e08a3c"/><circle cx="265" cy="230" r="16" fill="#2b2b2b"/><circle cx="375" cy="230" r="16" fill="#2b2b2b"/><polygon points="305,285 335,285 320,302" fill="#c2566b"/>',
    ),
    labels: [
      { name: 'Cat', confidence: 98.93 },
      { name: 'Pet', confidence: 96.2 },
      { name: 'Whiskers', confidence: 84.5 },
    ],
    tags: ['favourite'],
  },
  {
    name: 'flower.jpg',
    svg: scene(
      `<rect width="640" height="480" fill="#e6f2e0"/>${[0, 60, 120, 180, 240, 300].map((angle) => `<ellipse cx="320" cy="160" rx="45" ry="90" fill="#e85d8a" transform="rotate(${angle} 320 240)"/>`).join('')}<circle cx="320" cy="240" r="45" fill="#f7c948"/>`,
    ),
    labels: [
      { name: 'Flower', confidence: 97.5 },
      { name: 'Petal', confidence: 94.03 },
      { name: 'Plant', confidence: 89.9 },
    ],
  },
  {
    name: 'desert.jpg',
    svg: scene(
      '<rect width="640" height="480" fill="#f6c58f"/><rect y="330" width="640" height="150" fill="#d99a5b"/><rect x="300" y="170" width="40" height="220" rx="20" fill="#4c8c4a"/><rect x="240" y="230" width="30" height="90" rx="15" fill="#4c8c4a"/><rect x="370" y="200" width="30" height="90" rx="15" fill="#4c8c4a"/><circle cx="120" cy="100" r="50" fill="#fff2c4"/>',
    ),
    labels: [
      { name: 'Desert', confidence: 96.7 },
      { name: 'Cactus', confidence: 95.2 },
      { name: 'Sand', confidence: 88.1 },
    ],
  },
  {
    name: 'lake-boat.jpg',
    svg: scene(
      '<rect width="640" height="260" fill="#bfe1f5"/><polygon points="0,260 160,120 330,260" fill="#7d8fa3"/><polygon points="250,260 430,90 640,260" fill="#6b7d91"/><rect y="260" width="640" height="220" fill="#3f86b5"/><polygon points="260,380 400,380 380,410 280,410" fill="#8a4b2a"/><polygon points="330,250 330,375 400,375" fill="#ffffff"/>',
    ),
    labels: [
      { name: 'Lake', confidence: 97.1 },
      { name: 'Boat', confidence: 93.6 },
      { name: 'Mountain', confidence: 90.75 },
    ],
    tags: ['holiday'],
  },
];
const UPLOADED_ON_THE_PAGE: Scene = {
  name: 'snowy-peaks.jpg',
  svg: scene(
    '<rect width="640" height="480" fill="#9ccbe8"/><polygon points="0,480 200,140 400,480" fill="#5f6f80"/><polygon points="200,140 160,208 240,208" fill="#ffffff"/><polygon points="240,480 450,90 640,480" fill="#4f5f70"/><polygon points="450,90 405,173 495,173" fill="#ffffff"/>',
  ),
  labels: [
    { name: 'Mountain', confidence: 98.1 },
    { name: 'Snow', confidence: 95.72 },
    { name: 'Peak', confidence: 92.0 },
  ],
};

/** Vision sees the same things with scores of its own: two sources side by side on every card. */
const visionLabels = (labels: FakeLabel[]) =>
  labels.map((label, index) => ({ ...label, confidence: Math.round((label.confidence - 2.5 - index) * 100) / 100 }));
const jpegOf = (svg: string) => sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
const EXTENSIONS = [
  { name: 'aws-auto-tagging', minConfidence: 80, maxTags: 3 },
  { name: 'google-auto-tagging', minConfidence: 80, maxTags: 3 },
];

const providers = await startProviders();
const stack = await startTestStack({ ...providers.env, AITAGS_LOCAL_WAIT_SCALE: '0.01', AITAGS_SYNC_WINDOW_MS: '300' });
const browser = await launchChromium();
try {
  for (const { name, svg, labels, tags } of SCENES) {
    providers.rekognition.behave({ labels });
    providers.vision.behave({ labels: visionLabels(labels) });
    const form = new FormData();
    form.set('file', new Blob([await jpegOf(svg)], { type: 'image/jpeg' }), name);
    form.set('fileName', name);
    form.set('extensions', JSON.stringify(EXTENSIONS));
    if (tags) form.set('tags', tags.join(','));
    const response = await fetch(`${stack.apiUrl}/api/v1/files/upload`, { method: 'POST', headers: { authorization: stack.auth }, body: form });
    if (!response.ok) throw new Error(`upload of ${name}: ${response.status} ${await response.text()}`);
    await stack.idle();
  }

  const page = await browser.newPage({ viewport: { width: 1240, height: 1000 } });
  await page.goto(stack.apiUrl);
  await page.getByLabel('Private key').fill(stack.privateKey);
  await page.getByLabel('Private key').press('Enter');
  await page
    .locator('li.card')
    .nth(SCENES.length - 1)
    .waitFor();

  // Slower than the sync window: the upload answers pending, and the page shows it so until the taggers finish.
  providers.rekognition.behave({ labels: UPLOADED_ON_THE_PAGE.labels, latencyMs: 4000 });
  providers.vision.behave({ labels: visionLabels(UPLOADED_ON_THE_PAGE.labels), latencyMs: 3000 });
  await page.getByLabel('Max. tags each').fill('3');
  await page
    .locator('#upload-files')
    .setInputFiles({ name: UPLOADED_ON_THE_PAGE.name, mimeType: 'image/jpeg', buffer: await jpegOf(UPLOADED_ON_THE_PAGE.svg) });
  const newCard = page.locator('li.card', { hasText: 'snowy-peaks' });
  await newCard.locator('.status-pending').first().waitFor();
  await page.getByLabel('Max. tags each').blur();
  await page.locator('li.card img.thumb').evaluateAll((images) => Promise.all(images.map((image) => (image as HTMLImageElement).decode())));
  await mkdir(docsDir, { recursive: true });
  await page.screenshot({ path: join(docsDir, 'media-library-upload.png') });

  await newCard.locator('.chip-aws-auto-tagging').first().waitFor({ timeout: 20_000 });
  await newCard.locator('.status-pending').first().waitFor({ state: 'hidden', timeout: 20_000 });
  await page.getByRole('checkbox', { name: /^Select ginger-cat/ }).check();
  await page.getByRole('checkbox', { name: /^Select flower/ }).check();
  await page.getByLabel('Tags to add or remove, comma-separated').fill('print');
  await page.getByLabel('Tags to add or remove, comma-separated').blur();
  await page.locator('section.files').screenshot({ path: join(docsDir, 'media-library-grid.png') });
  console.log(`wrote media-library-upload.png and media-library-grid.png to ${docsDir}`);
} finally {
  await browser.close();
  await stack.close();
  await providers.stop();
}
