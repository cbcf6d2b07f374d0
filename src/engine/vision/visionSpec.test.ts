import { describe, expect, it } from 'vitest';
import type { VisionSpec } from '../../core/bundle/manifest.ts';
import { CLIP_MEAN, CLIP_STD } from '../../core/vision/padNormalize.ts';
import { checkVisionPreprocessing } from './visionSpec.ts';

const spec = {
  patchSize: 14,
  preprocess: { resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70, resample: 'pil-bicubic', mean: [...CLIP_MEAN], std: [...CLIP_STD] },
} as unknown as VisionSpec;

describe('checkVisionPreprocessing', () => {
  it('accepts what src/core/vision does', () => {
    expect(() => checkVisionPreprocessing(spec, 'bundle')).not.toThrow();
  });

  it('refuses other sizes or normalisation, naming each difference', () => {
    const other = { ...spec, patchSize: 16, preprocess: { ...spec.preprocess, resizeShortSide: 336, mean: [0.5, 0.5, 0.5] } } as VisionSpec;
    expect(() => checkVisionPreprocessing(other, 'bundle')).toThrow(
      expect.objectContaining({
        code: 'MANIFEST_INVALID',
        message: 'bundle: the vision encoder expects other preprocessing than this app does: patch size 16 (app: 14), short side 336 (app: 224), normalisation mean.',
      }),
    );
  });
});
