import { headDim, type LlamaConfig } from './checkpoint/llamaConfig.ts';
import { llamaWeightShapes } from './llama/convertLlama.ts';
import { variantSpecs, type LlamaVariant } from './llama/variants.ts';
import type { VisionModel } from './vision/clipConfig.ts';
import { visionVariantSpecs, visionWeightBytes } from './vision/visionVariants.ts';

const BLOCK = 32;
const ELEMENT_BYTES = { float32: 4, float16: 2, int32: 4, int64: 8, uint8: 1 } as const;

/**
 * Bytes the language model's graphs of one variant will take on disk, from the config alone (for --dry-run
 * and the free-space check). Counts weights exactly as the graphs store them; the graph structure itself is
 * a few hundred KB and is covered by a small allowance.
 */
export function estimateLlamaBytes(config: LlamaConfig, variant: LlamaVariant): number {
  const spec = variantSpecs[variant];
  const activationBytes = ELEMENT_BYTES[spec.activation];
  let total = 0;
  for (const [name, shape] of llamaWeightShapes(config)) {
    const elements = shape.reduce((a, b) => a * b, 1);
    if (name === 'model.embed_tokens.weight') total += elements * ELEMENT_BYTES[spec.embedTable];
    else if (shape.length === 1) total += elements * activationBytes; // norms
    else if (spec.matmul === 'float32') total += elements * 4;
    else {
      const [n = 0, k = 0] = shape;
      const blocks = Math.ceil(k / BLOCK);
      // 4-bit values, one scale per block, one 4-bit zero point per block (packed two per byte).
      total += n * blocks * (BLOCK / 2) + n * blocks * activationBytes + n * Math.ceil(blocks / 2);
    }
  }
  // Rotary cos/sin caches [max positions, head_dim / 2].
  total += 2 * config.max_position_embeddings * (headDim(config) / 2) * activationBytes;
  return total + 512 * 1024;
}

/** Bytes one variant's vision graph will take on disk: its weights exactly, plus the graph structure (small). */
export function estimateVisionBytes(model: VisionModel, variant: LlamaVariant): number {
  return visionWeightBytes(model, visionVariantSpecs[variant]) + 256 * 1024;
}
