import { AppError } from '../errors.ts';

/**
 * DepictQA's size rules (upstream `CustomTransform` in src/model/clip/clip.py, inference mode):
 * shrink so that the short side is at most 224 and the long side at most 672, never upscale,
 * then pad with black to multiples of the 14-pixel patch, at least 70 pixels a side.
 */
export const PATCH_SIZE = 14;
export const RESIZE_SHORT_SIDE = 224;
export const RESIZE_LONG_SIDE = 672;
export const MIN_PADDED_SIDE = 70;

export interface ImageSize {
  height: number;
  width: number;
}

/**
 * Python 3's `round(x)` for a float: the nearest integer, a tie going to the even neighbour.
 * `x - Math.floor(x)` is exact in float64 for every finite x, so a tie is detected exactly as Python sees it
 * (e.g. 234.5 → 234, 235.5 → 236, where `Math.round` would give 235 and 236).
 */
export function pyRound(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`pyRound: ${x} is not a finite number`);
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** True when DepictQA resizes an image of this size (`224 <= min(h, w) or 672 <= max(h, w)`). */
export function needsResize(size: ImageSize): boolean {
  const short = Math.min(size.height, size.width);
  const long = Math.max(size.height, size.width);
  return short >= RESIZE_SHORT_SIDE || long >= RESIZE_LONG_SIDE;
}

/**
 * The size DepictQA resizes to: `ratio = min(224 / min(h, w), 672 / max(h, w))`,
 * `(round(h · ratio), round(w · ratio))` in float64 with Python's rounding. Unchanged when no resize applies.
 * The ratio is never above 1 (the rule only fires when a side has reached its limit).
 */
export function resizeTarget(size: ImageSize): ImageSize {
  const { height, width } = size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new AppError('INTERNAL', `resizeTarget: invalid size ${height} × ${width} (height × width)`);
  }
  if (!needsResize(size)) return { height, width };
  const ratio = Math.min(RESIZE_SHORT_SIDE / Math.min(height, width), RESIZE_LONG_SIDE / Math.max(height, width));
  const target = { height: pyRound(height * ratio), width: pyRound(width * ratio) };
  if (target.height < 1 || target.width < 1) {
    // PIL would produce an empty image here; the model would see only padding.
    throw new AppError(
      'IMAGE_TOO_SMALL',
      `an image of ${width} × ${height} pixels is too thin: with its long side shrunk to ${RESIZE_LONG_SIDE} pixels its short side would be 0`,
      { hint: 'Crop the image: its long side must be less than 1344 times its short side.' },
    );
  }
  return target;
}

/** `ceil(max(70, side) / 14) · 14` for each side: the size after padding, in whole patches. */
export function paddedSize(size: ImageSize): ImageSize {
  const pad = (side: number) => Math.ceil(Math.max(MIN_PADDED_SIDE, side) / PATCH_SIZE) * PATCH_SIZE;
  return { height: pad(size.height), width: pad(size.width) };
}

/** Patch grid of a padded image: [height / 14, width / 14]. */
export function patchGrid(padded: ImageSize): ImageSize {
  if (padded.height % PATCH_SIZE !== 0 || padded.width % PATCH_SIZE !== 0) {
    throw new AppError('INTERNAL', `patchGrid: ${padded.height} × ${padded.width} is not a multiple of ${PATCH_SIZE}`);
  }
  return { height: padded.height / PATCH_SIZE, width: padded.width / PATCH_SIZE };
}
