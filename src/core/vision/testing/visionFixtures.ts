import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../rgbImage.ts';

/** Test-only access to fixtures/vision_fixtures.json, written by tools/fixtures/vision_fixtures.py. */

export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures');

type Box = [left: number, top: number, width: number, height: number];

export interface ResizeCase {
  name: string;
  source: string;
  crop: Box | null;
  height: number;
  width: number;
  resizes: boolean;
  target: [height: number, width: number];
  sha256?: string;
  expected?: string;
}

export interface PreprocessCase {
  case: string;
  resized: [number, number];
  padded: [number, number];
  ltrb: [number, number, number, number];
  sha256: string;
  maxAbsDepictqaVsTorchvision: number;
  indices: string;
  depictqa: string;
  torchvision: string;
}

export interface VisionFixtures {
  versions: Record<string, string>;
  sources: Record<string, { file: string; width: number; height: number }>;
  resize: ResizeCase[];
  interpolation: {
    channels: number;
    srcH: number;
    srcW: number;
    input: string;
    cases: Array<{ dstH: number; dstW: number; output: string; float64Sha256: string }>;
  };
  positionEmbedding: { width: number; table: string; cases: Array<{ gridH: number; gridW: number; output: string }> };
  preprocess: PreprocessCase[];
  ruleTable: string;
  /** The same for the Abstractor model's rule (1024 / 2048). */
  ruleTableAbstractor: string;
}

export function loadVisionFixtures(): VisionFixtures {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'vision_fixtures.json'), 'utf8')) as VisionFixtures;
}

function bytesOf(base64: string): Uint8Array {
  const buffer = Buffer.from(base64, 'base64');
  // Copy into a fresh, aligned ArrayBuffer so typed views of any width can be taken.
  return new Uint8Array(buffer).slice();
}

export function float32Of(base64: string): Float32Array {
  return new Float32Array(bytesOf(base64).buffer);
}

export function int32Of(base64: string): Int32Array {
  return new Int32Array(bytesOf(base64).buffer);
}

/** A fixture PNG as 8-bit RGB (grey files replicated to three channels). */
export async function readRgbPng(file: string): Promise<RgbImage> {
  // ignoreIcc: PIL ignores embedded profiles (rocket_src.png carries a non-sRGB one).
  const { data, info } = await sharp(join(FIXTURES_DIR, file), { ignoreIcc: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels`);
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** PIL's `img.crop((left, top, left + width, top + height))`. */
export function cropRgb(image: RgbImage, box: Box | null): RgbImage {
  if (box === null) return image;
  const [left, top, width, height] = box;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}

/** Max and mean absolute difference of two equally long byte arrays. */
export function byteDifference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}
