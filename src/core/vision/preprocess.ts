import { padCenter, normalizeClip, padOffsets } from './padNormalize.ts';
import { resizeBicubicPil } from './pilResize.ts';
import { paddedSize, patchGrid, resizeTarget, type ImageSize, type ResizeRule } from './resizeRule.ts';
import { assertRgbImage, type RgbImage } from './rgbImage.ts';

/** What the vision encoder receives for one image, and the sizes on the way there. */
export interface PreprocessedImage {
  /** [3, padded.height, padded.width], CLIP-normalised */
  pixelValues: Float32Array;
  original: ImageSize;
  /** after DepictQA's resize rule (equal to `original` when the image is small enough) */
  resized: ImageSize;
  /** after black padding to whole patches */
  padded: ImageSize;
  /** where the resized image sits inside the padded canvas */
  offset: { top: number; left: number };
  /** [padded.height / patch, padded.width / patch]: the patch grid, N = height · width tokens */
  grid: ImageSize;
}

/**
 * DepictQA's inference-time vision preprocessing of a decoded RGB image, for the model's `rule`:
 * 1. resize by the rule (224 / 672 for DepictQA-Wild) with PIL's antialiased bicubic;
 * 2. pad with black to multiples of the patch (at least 70) as torchvision's `center_crop` does;
 * 3. /255 and CLIP mean/std normalisation to CHW float32.
 */
export function preprocessImage(image: RgbImage, rule: ResizeRule): PreprocessedImage {
  assertRgbImage(image, 'preprocessImage input');
  const original = { height: image.height, width: image.width };
  // 1. Resize (a copy-free pass-through when the rule keeps the size).
  const resized = resizeTarget(original, rule);
  const resizedImage =
    resized.height === original.height && resized.width === original.width
      ? image
      : resizeBicubicPil(image, resized.width, resized.height);
  // 2. Pad.
  const padded = paddedSize(resized, rule);
  const paddedImage = padCenter(resizedImage, padded);
  // 3. Normalise.
  return {
    pixelValues: normalizeClip(paddedImage),
    original,
    resized,
    padded,
    offset: padOffsets(resized, padded),
    grid: patchGrid(padded, rule),
  };
}
