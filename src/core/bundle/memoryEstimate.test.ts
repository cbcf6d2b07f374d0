import { describe, expect, it } from 'vitest';
import type { BundleManifest } from './manifest.ts';
import { estimateMemory } from './memoryEstimate.ts';
import { tinyLlmSpec } from './testing/llmSpec.ts';

const GiB = 2 ** 30;

/** A manifest with the real Vicuna-7B / ViT-L numbers and the q4f16 sizes the converter wrote for the 7B shape. */
function sevenB(): BundleManifest {
  const file = (path: string, bytes: number) => ({ path, bytes, sha256: '0'.repeat(64) });
  const graph = (role: 'decoder' | 'embed_tokens' | 'vision_encoder', path: string, data: string[]) => ({
    role,
    variant: 'q4f16' as const,
    path,
    externalData: data,
    inputs: [],
    outputs: [],
    requires: ['shader-f16' as const],
  });
  return {
    llm: tinyLlmSpec({
      hiddenSize: 4096,
      intermediateSize: 11008,
      numLayers: 32,
      numHeads: 32,
      numKvHeads: 32,
      headDim: 128,
    }),
    vision: {
      architecture: 'clip-vit',
      hiddenSize: 1024,
      intermediateSize: 4096,
      numLayers: 24,
      numHeads: 16,
      layerNormEps: 1e-5,
      patchSize: 14,
      positionGrid: 16,
      preprocess: { resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70, resample: 'pil-bicubic', mean: [0, 0, 0], std: [1, 1, 1] },
      abstractor: null,
      imageTokens: { rule: 'patch-grid' },
      outputSize: 4096,
      weights: { q4f16: 'int8' },
    },
    graphs: [
      graph('decoder', 'onnx/d.onnx', ['onnx/d.onnx_data', 'onnx/d.onnx_data_1']),
      graph('embed_tokens', 'onnx/e.onnx', ['onnx/e.onnx_data']),
      graph('vision_encoder', 'onnx/v.onnx', ['onnx/v.onnx_data']),
    ],
    files: [
      file('onnx/d.onnx', 1_000_000),
      file('onnx/d.onnx_data', 2_000_000_000),
      file('onnx/d.onnx_data_1', 1_820_000_000),
      file('onnx/e.onnx', 500),
      file('onnx/e.onnx_data', 262_144_000),
      file('onnx/v.onnx', 200_000),
      file('onnx/v.onnx_data', 360_000_000),
    ],
  } as unknown as BundleManifest;
}

describe('estimateMemory', () => {
  it('7B q4f16, 2048 positions, three images: the numbers worked out by hand', () => {
    const estimate = estimateMemory(sevenB(), { variant: 'q4f16', contextLength: 2048, images: 3 });
    // Decoder and vision files; the embedding table stays on the CPU.
    expect(estimate.gpuWeightBytes).toBe(1_000_000 + 2_000_000_000 + 1_820_000_000 + 200_000 + 360_000_000);
    expect(estimate.cpuWeightBytes).toBe(262_144_500);
    expect(estimate.largestGpuFileBytes).toBe(2_000_000_000);
    // 2 (k, v) × 32 layers × 32 heads × 128 × 2048 positions × 2 bytes = 1 GiB.
    expect(estimate.kvCacheBytes).toBe(GiB);
    // 224×672 → 16×48 = 768 patches + class = 769 tokens; per layer 769·4096 + 16·769² + 4·769·1024 elements,
    // plus 3 images × 768 rows × 4096, all × 2 bytes.
    expect(estimate.visionActivationBytes).toBe((769 * 4096 + 16 * 769 * 769 + 4 * 769 * 1024 + 3 * 768 * 4096) * 2);
    // chunk 512: 512·(2·11008 + 4·4096) + 32·512·2048 elements × 2 bytes, plus 32000 fp32 logits.
    expect(estimate.decoderActivationBytes).toBe((512 * (2 * 11008 + 4 * 4096) + 32 * 512 * 2048) * 2 + 32000 * 4);
    // 3.894 GiB weights + 1 GiB cache + 0.047 GiB vision + 0.099 GiB decoder activations.
    expect(estimate.gpuTotalBytes / GiB).toBeCloseTo(5.04, 2);
  });

  it('halving the context halves the cache, and fp32 activations double it', () => {
    const manifest = sevenB();
    const short = estimateMemory(manifest, { variant: 'q4f16', contextLength: 1024, images: 3 });
    expect(short.kvCacheBytes).toBe(GiB / 2);
    const fp32 = estimateMemory(manifest, { variant: 'q4', contextLength: 2048, images: 3 });
    expect(fp32.kvCacheBytes).toBe(2 * GiB);
    expect(fp32.gpuWeightBytes).toBe(0); // no q4 graphs in this manifest
  });
});
