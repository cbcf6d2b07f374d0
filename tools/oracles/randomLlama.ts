import type { LlamaConfig } from '../checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../checkpoint/types.ts';
import { expectedShapes } from './llamaWeights.ts';
import { createRandom } from '../../src/core/generation/random.ts';

/** mulberry32 (src/core/generation/random.ts): the same values on every machine, in [0, 1). */
export function seededRandom(seed: number): () => number {
  const random = createRandom(seed);
  return () => random.next();
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
