import type { VisionSpec } from '../manifest.ts';

/** The manifest's `vision` section of the tiny factory's CLIP (no Abstractor), for tests; override what a test needs. */
export function tinyVisionSpec(overrides: Partial<VisionSpec> = {}): VisionSpec {
  return {
    architecture: 'clip-vit',
    hiddenSize: 64,
    intermediateSize: 256,
    numLayers: 2,
    numHeads: 4,
    layerNormEps: 1e-5,
    patchSize: 14,
    positionGrid: 16,
    preprocess: {
      resizeShortSide: 224,
      resizeLongSide: 672,
      minPaddedSide: 70,
      resample: 'pil-bicubic',
      mean: [0.48145466, 0.4578275, 0.40821073],
      std: [0.26862954, 0.26130258, 0.27577711],
    },
    abstractor: null,
    imageTokens: { rule: 'patch-grid' },
    outputSize: 64,
    weights: { q4: 'int8' },
    ...overrides,
  };
}
