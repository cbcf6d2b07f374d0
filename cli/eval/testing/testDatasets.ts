/**
 * Small IQA datasets in every layout the evaluation reads, built from Debian's scikit-image photos (synthetic
 * gradients where they are missing): each reference is cropped small, blurred and noised at known levels, and
 * its MOS falls with the level. Test helper only.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

const PHOTOS_DIR = '/usr/lib/python3/dist-packages/skimage/data';
const PHOTOS = ['astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'camera.png', 'brick.png', 'grass.png', 'gravel.png'];

export interface TestImage {
  name: string;
  /** [size, size, 3] RGB samples. */
  rgb: Uint8Array;
  mos: number;
}

export interface TestGroup {
  /** Group index from 1. */
  index: number;
  reference: Uint8Array;
  images: TestImage[];
}

export interface TestDatasetOptions {
  groups: number;
  /** Distortion levels per kind (blur and noise): images per group = 2 · levels. */
  levels: number;
  /** Side in pixels. */
  size?: number;
}

export const photosAvailable = existsSync(join(PHOTOS_DIR, PHOTOS[0]!));

/** MOS of distortion `kind` at `level` (1 = mildest): 5 − 0.7·level, blur judged a little worse than noise. */
export function mosOf(kind: 'blur' | 'noise', level: number): number {
  return 5 - 0.7 * level - (kind === 'blur' ? 0.2 : 0);
}

export async function makeTestGroups(options: TestDatasetOptions): Promise<TestGroup[]> {
  const size = options.size ?? 48;
  const groups: TestGroup[] = [];
  for (let g = 1; g <= options.groups; g++) {
    const reference = await referenceImage(g, size);
    const images: TestImage[] = [];
    for (let level = 1; level <= options.levels; level++) {
      images.push({ name: `blur${level}`, rgb: await blur(reference, size, 0.6 * level), mos: mosOf('blur', level) });
      images.push({ name: `noise${level}`, rgb: addNoise(reference, 12 * level, g * 100 + level), mos: mosOf('noise', level) });
    }
    groups.push({ index: g, reference, images });
  }
  return groups;
}

export type TestLayout = 'csv' | 'kadid10k' | 'tid2013' | 'triplets';

/** Writes the groups in one layout under `dir` and returns the dataset file's path. */
export async function writeTestDataset(dir: string, layout: TestLayout, groups: readonly TestGroup[], size = 48): Promise<string> {
  await mkdir(dir, { recursive: true });
  const two = (k: number) => String(k).padStart(2, '0');
  if (layout === 'csv') {
    const rows = ['reference,image,mos'];
    for (const group of groups) {
      const ref = `ref${two(group.index)}.png`;
      await writePng(join(dir, ref), group.reference, size);
      for (const image of group.images) {
        const name = `img/${two(group.index)}_${image.name}.png`;
        await writePng(join(dir, name), image.rgb, size);
        rows.push(`${ref},${name},${image.mos}`);
      }
    }
    return writeText(join(dir, 'dataset.csv'), rows);
  }
  if (layout === 'kadid10k') {
    const rows = ['dist_img,ref_img,dmos,var'];
    for (const group of groups) {
      const ref = `I${two(group.index)}.png`;
      await writePng(join(dir, 'images', ref), group.reference, size);
      group.images.forEach((image, k) => rows.push(`I${two(group.index)}_${two(k + 1)}_01.png,${ref},${image.mos},0.1`));
      for (const [k, image] of group.images.entries()) await writePng(join(dir, 'images', `I${two(group.index)}_${two(k + 1)}_01.png`), image.rgb, size);
    }
    return writeText(join(dir, 'dmos.csv'), rows);
  }
  if (layout === 'tid2013') {
    const rows: string[] = [];
    for (const group of groups) {
      await writeBmp(join(dir, 'reference_images', `I${two(group.index)}.BMP`), group.reference, size);
      for (const [k, image] of group.images.entries()) {
        const name = `i${two(group.index)}_${two(k + 1)}_1.bmp`;
        await writeBmp(join(dir, 'distorted_images', name), image.rgb, size);
        rows.push(`${image.mos.toFixed(5)} ${name}`);
      }
    }
    return writeText(join(dir, 'mos_with_names.txt'), rows);
  }
  // Triplets: consecutive images of a group against each other; people prefer the one with the higher MOS.
  const rows = ['reference,a,b,human_prefers_a'];
  for (const group of groups) {
    const ref = `ref${two(group.index)}.png`;
    await writePng(join(dir, ref), group.reference, size);
    for (const image of group.images) await writePng(join(dir, `${two(group.index)}_${image.name}.png`), image.rgb, size);
    for (let k = 0; k + 1 < group.images.length; k += 2) {
      const a = group.images[k]!;
      const b = group.images[k + 1]!;
      const h = a.mos > b.mos ? 0.8 : a.mos < b.mos ? 0.2 : 0.5;
      rows.push(`${ref},${two(group.index)}_${a.name}.png,${two(group.index)}_${b.name}.png,${h}`);
    }
  }
  return writeText(join(dir, 'triplets.csv'), rows);
}

async function referenceImage(g: number, size: number): Promise<Uint8Array> {
  const photo = join(PHOTOS_DIR, PHOTOS[(g - 1) % PHOTOS.length]!);
  if (existsSync(photo)) {
    const { data } = await sharp(photo).removeAlpha().toColourspace('srgb').resize(size, size, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
    if (data.length === size * size * 3) return new Uint8Array(data);
  }
  const rgb = new Uint8Array(size * size * 3);
  for (let k = 0; k < rgb.length; k++) rgb[k] = ((k * (g + 3)) % 251) & 0xff;
  return rgb;
}

async function blur(rgb: Uint8Array, size: number, sigma: number): Promise<Uint8Array> {
  const out = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).blur(Math.max(0.3, sigma)).raw().toBuffer();
  return new Uint8Array(out);
}

/** Uniform noise of amplitude `amount` from a fixed linear congruential sequence. */
function addNoise(rgb: Uint8Array, amount: number, seed: number): Uint8Array {
  let state = seed >>> 0;
  return rgb.map((v) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.max(0, Math.min(255, Math.round(v + amount * (state / 4294967296 - 0.5) * 2)));
  });
}

async function writePng(path: string, rgb: Uint8Array, size: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
}

/** 24-bit bottom-up BMP, as TID2013 ships. */
async function writeBmp(path: string, rgb: Uint8Array, size: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const rowBytes = Math.ceil((size * 3) / 4) * 4;
  const bytes = new Uint8Array(54 + rowBytes * size);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42;
  bytes[1] = 0x4d;
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, size, true);
  view.setInt32(22, size, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  view.setUint32(34, rowBytes * size, true);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = ((size - 1 - y) * size + x) * 3;
      const dst = 54 + y * rowBytes + x * 3;
      bytes[dst] = rgb[src + 2]!;
      bytes[dst + 1] = rgb[src + 1]!;
      bytes[dst + 2] = rgb[src]!;
    }
  }
  await writeFile(path, bytes);
}

async function writeText(path: string, rows: string[]): Promise<string> {
  await writeFile(path, `${rows.join('\n')}\n`);
  return path;
}
