import type { VisionSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { CLIP_MEAN, CLIP_STD } from '../../core/vision/padNormalize.ts';
import { MIN_PADDED_SIDE, PATCH_SIZE, RESIZE_LONG_SIDE, RESIZE_SHORT_SIDE } from '../../core/vision/resizeRule.ts';

/**
 * The app preprocesses images itself (src/core/vision, exact to DepictQA's PIL code); a bundle whose vision graph
 * expects other sizes or normalisation would read every image wrongly, so it is refused at load.
 */
export function checkVisionPreprocessing(vision: VisionSpec, label: string): void {
  const p = vision.preprocess;
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((value, i) => Math.abs(value - b[i]!) < 1e-7);
  const differences = [
    vision.patchSize !== PATCH_SIZE && `patch size ${vision.patchSize} (app: ${PATCH_SIZE})`,
    p.resizeShortSide !== RESIZE_SHORT_SIDE && `short side ${p.resizeShortSide} (app: ${RESIZE_SHORT_SIDE})`,
    p.resizeLongSide !== RESIZE_LONG_SIDE && `long side ${p.resizeLongSide} (app: ${RESIZE_LONG_SIDE})`,
    p.minPaddedSide !== MIN_PADDED_SIDE && `minimum side ${p.minPaddedSide} (app: ${MIN_PADDED_SIDE})`,
    !same(p.mean, CLIP_MEAN) && 'normalisation mean',
    !same(p.std, CLIP_STD) && 'normalisation std',
  ].filter((difference): difference is string => difference !== false);
  if (differences.length > 0) {
    throw new AppError('MANIFEST_INVALID', `${label}: the vision encoder expects other preprocessing than this app does: ${differences.join(', ')}.`, {
      hint: 'Convert the model with this version of the converter.',
    });
  }
}

