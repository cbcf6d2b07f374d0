/**
 * Renders the web app manifest's PNG icons from the drawn SVGs in public/ (`npx tsx tools/icons/renderIcons.ts`).
 * The PNGs are committed; run this again after changing an SVG.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import sharp from 'sharp';

const publicDir = resolve(import.meta.dirname, '../../public');

/** PNG file → [source SVG, edge in pixels]. Maskable icons are full-bleed; iOS's touch icon must be opaque too. */
const ICONS: Record<string, [svg: string, size: number]> = {
  'pwa-192x192.png': ['icon.svg', 192],
  'pwa-512x512.png': ['icon.svg', 512],
  'maskable-512x512.png': ['icon-maskable.svg', 512],
  'apple-touch-icon-180x180.png': ['icon-maskable.svg', 180],
};

for (const [png, [svg, size]] of Object.entries(ICONS)) {
  const source = await readFile(join(publicDir, svg));
  // Rasterised at the target size (density scales the 512-unit viewBox), so small icons stay sharp.
  await sharp(source, { density: (72 * size) / 512 })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(join(publicDir, png));
  console.log(`${png}: ${size}×${size} from ${svg}`);
}
