import type { LlamaConfig } from '../checkpoint/llamaConfig.ts';

/**
 * The small LLaMA that graph tests, checks and reports build in memory: the tiny factory's shape with 2 kv heads
 * (so grouped attention is exercised) and a short context. Override what a test needs.
 */
export function smallLlamaConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    hidden_size: 64,
    intermediate_size: 192,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    num_hidden_layers: 2,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 64,
    vocab_size: 32000,
    ...overrides,
  };
}
