import { AppError } from '../errors.ts';

/**
 * DepictQA's size rules (upstream `CustomTransform` in src/model/clip/clip.py, inference mode): shrink so that the
 * short side is at most `resize` and the long side at most `max_size`, never upscale, then pad with black to
 * multiples of the patch, at least `min_size` pixels a side. The numbers belong to the model (its config.yaml's
 * `vision_preprocess`); the bundle's manifest carries them, and every size below is computed for one rule.
 */

/** CLIP ViT-L/14's patch. */
export const PATCH_SIZE = 14;

export interface ResizeRule {
  /** `resize`: the short side's limit. */
  resizeShortSide: number;
  /** `max_size`: the long side's limit. */
  resizeLongSide: number;
  /** `min_size`: padding brings each side to at least this. */
  minPaddedSide: number;
  /** `patch_size`: padding makes each side a multiple of it. */
  patchSize: number;
}

/** DepictQA-Wild's rule (DQ495K, QInst, QPath configs): 224 and 672, at least 70, patches of 14. */
export const DEPICTQA_WILD_RULE: ResizeRule = Object.freeze({ resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70, patchSize: PATCH_SIZE });

interface VisionSection {
  patchSize: number;
  preprocess: { resizeShortSide: number; resizeLongSide: number; minPaddedSide: number };
}

/** The rule a bundle's manifest records in its vision section. */
export function resizeRuleOf(vision: VisionSection): ResizeRule {
  const { resizeShortSide, resizeLongSide, minPaddedSide } = vision.preprocess;
  return { resizeShortSide, resizeLongSide, minPaddedSide, patchSize: vision.patchSize };
}

/** A bundle's rule; one without a vision section reads no images itself, and is told DepictQA-Wild's. */
export function modelResizeRule(manifest: { vision?: VisionSection | null }): ResizeRule {
  return manifest.vision ? resizeRuleOf(manifest.vision) : DEPICTQA_WILD_RULE;
}

/** "224 / 672" for messages: the short and long side limits. */
export function ruleText(rule: ResizeRule): string {
  return `${rule.resizeShortSide} / ${rule.resizeLongSide}`;
}

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

/** True when DepictQA resizes an image of this size (`resize <= min(h, w) or max_size <= max(h, w)`). */
export function needsResize(size: ImageSize, rule: ResizeRule): boolean {
  const short = Math.min(size.height, size.width);
  const long = Math.max(size.height, size.width);
  return short >= rule.resizeShortSide || long >= rule.resizeLongSide;
}

/**
 * The size DepictQA resizes to: `ratio = min(resize / min(h, w), max_size / max(h, w))` (224 and 672 for
 * DepictQA-Wild), `(round(h · ratio), round(w · ratio))` in float64 with Python's rounding. Unchanged when no
 * resize applies. The ratio is never above 1 (the rule only fires when a side has reached its limit).
 */
export function resizeTarget(size: ImageSize, rule: ResizeRule): ImageSize {
  const { height, width } = size;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new AppError('INTERNAL', `resizeTarget: invalid size ${height} × ${width} (height × width)`);
  }
  if (!needsResize(size, rule)) return { height, width };
  const ratio = Math.min(rule.resizeShortSide / Math.min(height, width), rule.resizeLongSide / Math.max(height, width));
  const target = { height: pyRound(height * ratio), width: pyRound(width * ratio) };
  if (target.height < 1 || target.width < 1) {
    // PIL would produce an empty image here; the model would see only padding.
    throw new AppError(
      'IMAGE_TOO_SMALL',
      `an image of ${width} × ${height} pixels is too thin: with its long side shrunk to ${rule.resizeLongSide} pixels its short side would be 0`,
      { hint: `Crop the image: its long side must be less than ${2 * rule.resizeLongSide} times its short side.` },
    );
  }
  return target;
}

/** `ceil(max(min_size, side) / patch) · patch` for each side (70 and 14): the size after padding, in whole patches. */
export function paddedSize(size: ImageSize, rule: ResizeRule): ImageSize {
  const pad = (side: number) => Math.ceil(Math.max(rule.minPaddedSide, side) / rule.patchSize) * rule.patchSize;
  return { height: pad(size.height), width: pad(size.width) };
}

/** Patch grid of a padded image: [height / patch, width / patch]. */
export function patchGrid(padded: ImageSize, rule: ResizeRule): ImageSize {
  const patch = rule.patchSize;
  if (padded.height % patch !== 0 || padded.width % patch !== 0) {
    throw new AppError('INTERNAL', `patchGrid: ${padded.height} × ${padded.width} is not a multiple of ${patch}`);
  }
  return { height: padded.height / patch, width: padded.width / patch };
}

/**
 * The largest encoder input the rule allows, padded: a picture whose sides are in the ratio of the two limits is
 * resized to exactly short limit × long limit (224 × 672), and no resized picture has more pixels.
 */
export function largestPadded(rule: ResizeRule): ImageSize {
  return paddedSize({ height: rule.resizeShortSide, width: rule.resizeLongSide }, rule);
}
