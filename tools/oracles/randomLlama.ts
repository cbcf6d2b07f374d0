import type { LlamaConfig } from '../../converter/checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { expectedShapes } from './llamaWeights.ts';
import { mulberry32 } from '../../src/core/seededRandom.ts';

/** mulberry32 (src/core/seededRandom.ts): the same values on every machine, in [0, 1). */
export const seededRandom = mulberry32;

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

/** The tiny bundle's LLaMA shape with the real vocabulary (hidden 64, 2 layers, vocab 32000): for timing the oracle. */
export const TINY_LLAMA_FULL_VOCAB: LlamaConfig = {
  hidden_size: 64,
  intermediate_size: 172,
  num_attention_heads: 4,
  num_key_value_heads: 4,
  num_hidden_layers: 2,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  max_position_embeddings: 128,
  vocab_size: 32000,
};

/** `length` token ids spread over the vocabulary, the same on every run. */
export function spreadTokenIds(length: number, vocabSize: number): number[] {
  return Array.from({ length }, (_, i) => (i * 7919 + 13) % vocabSize);
}
