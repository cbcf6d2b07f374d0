import type { BundleManifest } from '../../src/core/bundle/manifest.ts';
import { AppError } from '../../src/core/errors.ts';

/** The LlamaForCausalLM fields of a Hugging Face `config.json` that the converter needs (Vicuna's names). */
export interface LlamaConfig {
  hidden_size: number;
  intermediate_size: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  num_hidden_layers: number;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
  vocab_size: number;
}

const REQUIRED = [
  'hidden_size',
  'intermediate_size',
  'num_attention_heads',
  'num_hidden_layers',
  'rms_norm_eps',
  'max_position_embeddings',
  'vocab_size',
] as const;

/** Validates a parsed config.json; `file` names it in errors. Older LLaMA configs omit kv heads and rope theta. */
export function parseLlamaConfig(json: unknown, file: string): LlamaConfig {
  if (typeof json !== 'object' || json === null) {
    throw new AppError('CHECKPOINT_INVALID', `${file}: not a JSON object`);
  }
  const raw = json as Record<string, unknown>;
  for (const key of REQUIRED) {
    if (typeof raw[key] !== 'number') throw new AppError('CHECKPOINT_INVALID', `${file}: "${key}" is missing or not a number`);
  }
  const number = (key: string, fallback: number) => (typeof raw[key] === 'number' ? (raw[key] as number) : fallback);
  const config: LlamaConfig = {
    hidden_size: raw.hidden_size as number,
    intermediate_size: raw.intermediate_size as number,
    num_attention_heads: raw.num_attention_heads as number,
    num_key_value_heads: number('num_key_value_heads', raw.num_attention_heads as number),
    num_hidden_layers: raw.num_hidden_layers as number,
    rms_norm_eps: raw.rms_norm_eps as number,
    rope_theta: number('rope_theta', 10000),
    max_position_embeddings: raw.max_position_embeddings as number,
    vocab_size: raw.vocab_size as number,
  };
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new AppError('CHECKPOINT_INVALID', `${file}: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads`);
  }
  return config;
}

/** A converted bundle's language model numbers, back in Hugging Face's config.json names. */
export function llamaConfigOf(manifest: BundleManifest): LlamaConfig {
  const llm = manifest.llm;
  return {
    hidden_size: llm.hiddenSize,
    intermediate_size: llm.intermediateSize,
    num_attention_heads: llm.numHeads,
    num_key_value_heads: llm.numKvHeads,
    num_hidden_layers: llm.numLayers,
    rms_norm_eps: llm.rmsNormEps,
    rope_theta: llm.ropeTheta,
    max_position_embeddings: llm.maxPositionEmbeddings,
    vocab_size: llm.vocabSize,
  };
}

export function headDim(config: LlamaConfig): number {
  return config.hidden_size / config.num_attention_heads;
}

/** Hugging Face tensor names of LlamaForCausalLM. */
export const llamaNames = {
  embedTokens: 'model.embed_tokens.weight', // [vocab, hidden]
  finalNorm: 'model.norm.weight', // [hidden]
  lmHead: 'lm_head.weight', // [vocab, hidden]
  layer: (i: number) => ({
    inputNorm: `model.layers.${i}.input_layernorm.weight`, // [hidden]
    q: `model.layers.${i}.self_attn.q_proj.weight`, // [heads·d, hidden]
    k: `model.layers.${i}.self_attn.k_proj.weight`, // [kvHeads·d, hidden]
    v: `model.layers.${i}.self_attn.v_proj.weight`, // [kvHeads·d, hidden]
    o: `model.layers.${i}.self_attn.o_proj.weight`, // [hidden, heads·d]
    postNorm: `model.layers.${i}.post_attention_layernorm.weight`, // [hidden]
    gate: `model.layers.${i}.mlp.gate_proj.weight`, // [mlp, hidden]
    up: `model.layers.${i}.mlp.up_proj.weight`, // [mlp, hidden]
    down: `model.layers.${i}.mlp.down_proj.weight`, // [hidden, mlp]
  }),
};
