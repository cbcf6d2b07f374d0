import { AppError } from '../errors.ts';

/** An 8-bit image as decoded pixels: grey (1 channel) or RGB (3 channels, interleaved). */
export interface MetricsImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** [height, width, channels], row-major */
  data: Uint8Array;
  /** File name or label, used only in error messages. */
  name?: string;
}

/** One float channel, e.g. luma on a 0..255 scale. */
export interface Plane {
  width: number;
  height: number;
  /** [height, width], row-major */
  data: Float64Array;
}

/** The smallest side SSIM accepts: its Gaussian window is 11×11. */
export const MIN_SIDE = 11;

export function describeImage(image: MetricsImage, fallback: string): string {
  return image.name === undefined ? fallback : `"${image.name}"`;
}

/** Checks that the pixel buffer matches the declared size; a wrong buffer is a caller bug, named clearly. */
export function validateImage(image: MetricsImage, fallback: string): void {
  const label = describeImage(image, fallback);
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError('IMAGE_DECODE_FAILED', `${label}: invalid size ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new AppError('IMAGE_DECODE_FAILED', `${label}: ${String(channels)} channels; expected 1 (grey) or 3 (RGB)`);
  }
  if (data.length !== width * height * channels) {
    throw new AppError(
      'IMAGE_DECODE_FAILED',
      `${label}: pixel buffer holds ${data.length} bytes, expected ${width}×${height}×${channels} = ${width * height * channels}`,
    );
  }
}

/**
 * BT.601 luma, Y = 0.299 R + 0.587 G + 0.114 B, unrounded on a 0..255 scale. A grey image is its own luma.
 * The Python reference evaluates the same expression in the same order, so the planes agree to the bit.
 */
export function toLuma(image: MetricsImage): Plane {
  const { width, height, channels, data } = image;
  const count = width * height;
  const out = new Float64Array(count);
  if (channels === 1) {
    for (let i = 0; i < count; i++) out[i] = data[i]!;
  } else {
    for (let i = 0, j = 0; i < count; i++, j += 3) {
      out[i] = 0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!;
    }
  }
  return { width, height, data: out };
}

/** IMAGE_TOO_SMALL when either side is below `minSide`, else undefined. `what` names the metric. */
export function tooSmallError(
  size: { width: number; height: number },
  minSide: number,
  what: string,
  label: string,
): AppError | undefined {
  if (size.width >= minSide && size.height >= minSide) return undefined;
  return new AppError(
    'IMAGE_TOO_SMALL',
    `${label} is ${size.width}×${size.height}; ${what} needs at least ${minSide}×${minSide} pixels`,
    { hint: `Use images of at least ${minSide}×${minSide} pixels.` },
  );
}

export function requireMinSide(
  size: { width: number; height: number },
  minSide: number,
  what: string,
  label: string,
): void {
  const error = tooSmallError(size, minSide, what, label);
  if (error !== undefined) throw error;
}
