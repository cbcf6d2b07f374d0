import type { LlamaConfig } from '../checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../checkpoint/types.ts';
import { expectedShapes } from './llamaWeights.ts';

/** mulberry32: a tiny seeded generator, so that test models are the same on every machine. Values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic random LlamaForCausalLM weights (HF names): uniform values with about the spread of a trained
 * model's (±1/√fan_in for matrices, 1 ± 0.1 for norms), so activations stay O(1) through the layers.
 */
export function randomLlamaWeights(config: LlamaConfig, seed: number): Map<string, DenseTensor> {
  const random = seededRandom(seed);
  const weights = new Map<string, DenseTensor>();
  for (const [name, shape] of expectedShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isNorm = shape.length === 1;
    const spread = isNorm ? 0.1 : name.endsWith('embed_tokens.weight') ? 1 : 1 / Math.sqrt(shape[1]!);
    for (let i = 0; i < data.length; i++) data[i] = (isNorm ? 1 : 0) + spread * (2 * random() - 1);
    weights.set(name, { dtype: 'F32', shape, data });
  }
  return weights;
}
