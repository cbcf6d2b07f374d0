import { describe, expect, it } from 'vitest';
import type { VisionSpec } from '../../core/bundle/manifest.ts';
import { CLIP_MEAN, CLIP_STD } from '../../core/vision/padNormalize.ts';
import { checkVisionPreprocessing } from './visionSpec.ts';

const spec = {
  patchSize: 14,
  preprocess: { resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70, resample: 'pil-bicubic', mean: [...CLIP_MEAN], std: [...CLIP_STD] },
} as unknown as VisionSpec;

describe('checkVisionPreprocessing', () => {
  it('accepts what src/core/vision does, for DepictQA-Wild’s rule and the Abstractor’s 1024 / 2048', () => {
    expect(() => checkVisionPreprocessing(spec, 'bundle')).not.toThrow();
    const abstractor = { ...spec, preprocess: { ...spec.preprocess, resizeShortSide: 1024, resizeLongSide: 2048 } } as VisionSpec;
    expect(() => checkVisionPreprocessing(abstractor, 'bundle')).not.toThrow();
  });

  it('refuses other normalisation and an impossible rule, naming each difference', () => {
    const other = { ...spec, preprocess: { ...spec.preprocess, resizeShortSide: 900, mean: [0.5, 0.5, 0.5] } } as VisionSpec;
    expect(() => checkVisionPreprocessing(other, 'bundle')).toThrow(
      expect.objectContaining({
        code: 'MANIFEST_INVALID',
        message: "bundle: the vision encoder expects other preprocessing than this app does: a short side limit 900 above the long side's 672, normalisation mean.",
      }),
    );
  });
});
