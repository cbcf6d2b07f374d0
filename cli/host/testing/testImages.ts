import sharp from 'sharp';
import type { ImageInput } from '../../../src/core/engine/images.ts';
import { IMAGE_SLOTS, type ImageSlotId } from '../../../src/core/tasks.ts';
import { seededRandom } from '../../../tools/oracles/randomLlama.ts';

/** A PNG of random pixels: small images keep the prompts short (a 70×84 image is 5×6 = 30 rows). */
export async function randomPng(name: string, width: number, height: number, seed: number): Promise<ImageInput> {
  const random = seededRandom(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(random() * 256);
  const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { name, bytes: new Uint8Array(bytes) };
}

/** One random PNG per slot, named `<slot>.png`, of the given [width, height]; seeds `seed`, `seed + 1`, `seed + 2`. */
export async function randomSlotImages(sizes: Record<ImageSlotId, readonly [number, number]>, seed: number): Promise<Record<ImageSlotId, ImageInput>> {
  const images = {} as Record<ImageSlotId, ImageInput>;
  for (const [i, slot] of IMAGE_SLOTS.entries()) images[slot] = await randomPng(`${slot}.png`, sizes[slot][0], sizes[slot][1], seed + i);
  return images;
}
