import sharp from 'sharp';
import type { ImageInput } from '../../../src/core/engine/types.ts';
import { seededRandom } from '../../oracles/randomLlama.ts';

/** A PNG of random pixels: small images keep the prompts short (a 70×84 image is 5×6 = 30 rows). */
export async function randomPng(name: string, width: number, height: number, seed: number): Promise<ImageInput> {
  const random = seededRandom(seed);
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(random() * 256);
  const bytes = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return { name, bytes: new Uint8Array(bytes) };
}
