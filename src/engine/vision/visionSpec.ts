import type { VisionSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { CLIP_MEAN, CLIP_STD } from '../../core/vision/padNormalize.ts';

/**
 * The app preprocesses images itself (src/core/vision, exact to DepictQA's PIL code), with the resize rule the
 * manifest records for the model. Its normalisation is CLIP's, fixed: a bundle whose vision graph expects another
 * would read every image wrongly, so it is refused at load, as is a resize rule that cannot be DepictQA's.
 */
export function checkVisionPreprocessing(vision: VisionSpec, label: string): void {
  const p = vision.preprocess;
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((value, i) => Math.abs(value - b[i]!) < 1e-7);
  const differences = [
    p.resizeShortSide > p.resizeLongSide && `a short side limit ${p.resizeShortSide} above the long side's ${p.resizeLongSide}`,
    !same(p.mean, CLIP_MEAN) && 'normalisation mean',
    !same(p.std, CLIP_STD) && 'normalisation std',
  ].filter((difference): difference is string => difference !== false);
  if (differences.length > 0) {
    throw new AppError('MANIFEST_INVALID', `${label}: the vision encoder expects other preprocessing than this app does: ${differences.join(', ')}.`, {
      hint: 'Convert the model with this version of the converter.',
    });
  }
}
