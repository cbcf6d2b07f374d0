import { describe, expect, it } from 'vitest';
import { estimateMemory } from './memoryEstimate.ts';
import { sevenBManifest } from './testing/sevenBManifest.ts';

const GiB = 2 ** 30;
const sevenB = () => sevenBManifest();

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
    // The largest buffer is the 4-bit LM head with fp16 scales, above the 64 MiB of attention scores.
    expect(estimate.largestBufferBytes).toBe((32000 * 4096) / 2 + (32000 * 4096 / 32) * 2);
    expect(estimate.largestBufferBytes).toBeGreaterThan(32 * 512 * 2048 * 2);
  });

  it('follows the model’s image rule: the Abstractor’s 1024 / 2048 encodes up to 74×147 patches, its 64 rows per image', () => {
    const manifest = sevenB();
    const vision = manifest.vision!;
    manifest.vision = {
      ...vision,
      preprocess: { ...vision.preprocess, resizeShortSide: 1024, resizeLongSide: 2048 },
      abstractor: { numQueries: 64, numLayers: 4, numHeads: 8, intermediateSize: 2048 },
      imageTokens: { rule: 'queries', count: 64 },
    };
    const estimate = estimateMemory(manifest, { variant: 'q4f16', contextLength: 2048, images: 3 });
    // 1024×2048 pads to 1036×2058 → 74×147 = 10878 patches + class = 10879 tokens; 3 images × 64 rows × 4096.
    const tokens = 74 * 147 + 1;
    expect(estimate.visionActivationBytes).toBe((tokens * 4096 + 16 * tokens * tokens + 4 * tokens * 1024 + 3 * 64 * 4096) * 2);
    // The attention scores of one image, [16 heads, 10879, 10879] × 2 bytes (3.5 GiB), are now the largest buffer.
    expect(estimate.largestBufferBytes).toBe(16 * tokens * tokens * 2);
    expect(estimate.gpuTotalBytes / GiB).toBeGreaterThan(8);
  });

  it('the largest buffer grows with the context once the attention scores pass the LM head', () => {
    const long = estimateMemory(sevenB(), { variant: 'q4f16', contextLength: 4096, images: 3 });
    // [32 heads, 512 chunk, 4096 context] × 2 bytes = 128 MiB.
    expect(long.largestBufferBytes).toBe(32 * 512 * 4096 * 2);
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
