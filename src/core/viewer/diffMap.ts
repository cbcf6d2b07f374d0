import { AppError } from '../errors.ts';
import { toLuma, validateImage, type MetricsImage } from '../metrics/image.ts';

/** 'luma': |ΔY| of BT.601 luma; 'channel': the largest of |ΔR|, |ΔG|, |ΔB| (catches pure colour shifts). */
export type DiffMode = 'luma' | 'channel';

export interface DiffOptions {
  mode: DiffMode;
  /**
   * The most output pixels: a larger image is reduced by the smallest whole factor that fits, taking the
   * maximum over each factor×factor block so that a one-pixel difference still shows at the reduced size.
   */
  maxPixels?: number;
}

/** Per-pixel absolute difference of two images of equal size, on a 0..255 scale. */
export interface DiffMap {
  width: number;
  height: number;
  /** 1: one value per image pixel; f: one value per f×f block of image pixels (the block's maximum). */
  factor: number;
  mode: DiffMode;
  /** [height, width], |difference| rounded to the nearest integer, 0..255 */
  data: Uint8Array;
  /** The largest difference in the image (before any reduction), 0..255. */
  max: number;
  /** Mean absolute difference over all image pixels, unrounded. */
  mean: number;
  /** Image pixels whose rounded difference is not zero. */
  changedPixels: number;
}

/** 2048²: fast to colour on the main thread (≈ 20 ms) and sharp enough for any screen. */
export const DEFAULT_DIFF_MAX_PIXELS = 2048 * 2048;

/** The smallest whole reduction factor that brings width×height to at most maxPixels. */
export function diffReductionFactor(width: number, height: number, maxPixels: number): number {
  let factor = 1;
  while (Math.ceil(width / factor) * Math.ceil(height / factor) > maxPixels) factor++;
  return factor;
}

/** |distorted − reference| per pixel; see DiffMap. A grey image against a colour one compares luma. */
export function computeDiffMap(reference: MetricsImage, distorted: MetricsImage, options: DiffOptions): DiffMap {
  validateImage(reference, 'the reference');
  validateImage(distorted, 'the distorted image');
  const { width, height } = reference;
  if (distorted.width !== width || distorted.height !== height) {
    throw new AppError(
      'IMAGE_SIZE_MISMATCH',
      `The difference map needs images of the same size: ${distorted.width}×${distorted.height} against ${width}×${height}`,
      { hint: 'The difference is taken pixel by pixel: give both images the same size.' },
    );
  }
  const full = fullDifference(reference, distorted, options.mode);
  let max = 0;
  let sum = 0;
  let changedPixels = 0;
  for (let i = 0; i < full.length; i++) {
    const value = full[i]!;
    sum += value;
    if (value > max) max = value;
    if (value >= 0.5) changedPixels++;
  }
  const factor = diffReductionFactor(width, height, options.maxPixels ?? DEFAULT_DIFF_MAX_PIXELS);
  const reduced = maxPool(full, width, height, factor);
  return { ...reduced, factor, mode: options.mode, max, mean: sum / full.length, changedPixels };
}

/** [height, width] absolute difference, unrounded. */
function fullDifference(reference: MetricsImage, distorted: MetricsImage, mode: DiffMode): Float32Array {
  const count = reference.width * reference.height;
  const out = new Float32Array(count);
  if (mode === 'luma' || reference.channels !== 3 || distorted.channels !== 3) {
    const x = toLuma(reference).data;
    const y = toLuma(distorted).data;
    for (let i = 0; i < count; i++) out[i] = Math.abs(y[i]! - x[i]!);
    return out;
  }
  const x = reference.data;
  const y = distorted.data;
  for (let i = 0, j = 0; i < count; i++, j += 3) {
    out[i] = Math.max(Math.abs(y[j]! - x[j]!), Math.abs(y[j + 1]! - x[j + 1]!), Math.abs(y[j + 2]! - x[j + 2]!));
  }
  return out;
}

/** Maximum over factor×factor blocks (the last row and column of blocks may be partial), rounded to bytes. */
function maxPool(plane: Float32Array, width: number, height: number, factor: number): { width: number; height: number; data: Uint8Array } {
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const data = new Uint8Array(outWidth * outHeight);
  // One row of block maxima at a time: [outWidth].
  const rowMax = new Float32Array(outWidth);
  for (let oy = 0; oy < outHeight; oy++) {
    rowMax.fill(0);
    const yEnd = Math.min(height, (oy + 1) * factor);
    for (let y = oy * factor; y < yEnd; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const ox = (x / factor) | 0;
        const value = plane[row + x]!;
        if (value > rowMax[ox]!) rowMax[ox] = value;
      }
    }
    // Uint8Array assignment truncates: round explicitly so 0.6 shows as 1, not 0.
    for (let ox = 0; ox < outWidth; ox++) data[oy * outWidth + ox] = Math.round(rowMax[ox]!);
  }
  return { width: outWidth, height: outHeight, data };
}
