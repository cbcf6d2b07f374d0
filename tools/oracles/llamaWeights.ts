import { AppError } from '../../src/core/errors.ts';
import { headDim, llamaNames, type LlamaConfig } from '../../converter/checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';

/**
 * Where the reference reads its weights: a lookup by Hugging Face tensor name (returning the row-major fp32
 * data, or undefined when absent), or a map of dense tensors (whose shapes are then checked too).
 */
export type WeightSource = ((name: string) => Float32Array | undefined) | ReadonlyMap<string, DenseTensor>;

export interface LayerWeights {
  inputNorm: Float32Array; // [hidden]
  q: Float32Array; // [heads·d, hidden]
  k: Float32Array; // [kvHeads·d, hidden]
  v: Float32Array; // [kvHeads·d, hidden]
  o: Float32Array; // [hidden, heads·d]
  postNorm: Float32Array; // [hidden]
  gate: Float32Array; // [mlp, hidden]
  up: Float32Array; // [mlp, hidden]
  down: Float32Array; // [hidden, mlp]
}

export interface LlamaWeights {
  embedTokens: Float32Array; // [vocab, hidden]
  layers: LayerWeights[];
  finalNorm: Float32Array; // [hidden]
  lmHead: Float32Array; // [vocab, hidden]
}

/** Checks the config's numbers fit together as LLaMA needs them (GQA groups, even head_dim for rotary). */
export function validateLlamaConfig(config: LlamaConfig): void {
  const integers = [
    'hidden_size',
    'intermediate_size',
    'num_attention_heads',
    'num_key_value_heads',
    'num_hidden_layers',
    'max_position_embeddings',
    'vocab_size',
  ] as const;
  for (const key of integers) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) {
      throw new AppError('CHECKPOINT_INVALID', `LLaMA config: ${key} = ${config[key]} is not a positive integer`);
    }
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new AppError('CHECKPOINT_INVALID', `LLaMA config: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads ${config.num_attention_heads}`);
  }
  if (config.num_attention_heads % config.num_key_value_heads !== 0) {
    throw new AppError('CHECKPOINT_INVALID', `LLaMA config: num_attention_heads ${config.num_attention_heads} is not a multiple of num_key_value_heads ${config.num_key_value_heads}`);
  }
  if (headDim(config) % 2 !== 0) {
    throw new AppError('CHECKPOINT_INVALID', `LLaMA config: head_dim ${headDim(config)} is odd; rotary embeddings need it even`);
  }
  if (!(config.rms_norm_eps > 0) || !(config.rope_theta > 0)) {
    throw new AppError('CHECKPOINT_INVALID', `LLaMA config: rms_norm_eps and rope_theta must be positive`);
  }
}

/** The [out, in] (or [n]) shape each LlamaForCausalLM tensor must have under `config`. */
export function expectedShapes(config: LlamaConfig): Map<string, number[]> {
  const hidden = config.hidden_size;
  const d = headDim(config);
  const shapes = new Map<string, number[]>([
    [llamaNames.embedTokens, [config.vocab_size, hidden]],
    [llamaNames.finalNorm, [hidden]],
    [llamaNames.lmHead, [config.vocab_size, hidden]],
  ]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const names = llamaNames.layer(i);
    shapes.set(names.inputNorm, [hidden]);
    shapes.set(names.q, [config.num_attention_heads * d, hidden]);
    shapes.set(names.k, [config.num_key_value_heads * d, hidden]);
    shapes.set(names.v, [config.num_key_value_heads * d, hidden]);
    shapes.set(names.o, [hidden, config.num_attention_heads * d]);
    shapes.set(names.postNorm, [hidden]);
    shapes.set(names.gate, [config.intermediate_size, hidden]);
    shapes.set(names.up, [config.intermediate_size, hidden]);
    shapes.set(names.down, [hidden, config.intermediate_size]);
  }
  return shapes;
}

/** Reads every tensor once and checks its size (and shape, for DenseTensors) against the config. */
export function resolveLlamaWeights(config: LlamaConfig, source: WeightSource): LlamaWeights {
  validateLlamaConfig(config);
  const shapes = expectedShapes(config);
  const read = (name: string): Float32Array => {
    const shape = shapes.get(name)!;
    const size = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array | undefined;
    if (typeof source === 'function') {
      data = source(name);
    } else {
      const tensor = source.get(name);
      if (tensor !== undefined && tensor.shape.join(',') !== shape.join(',')) {
        throw new AppError('CHECKPOINT_INVALID', `LLaMA weights: ${name} has shape [${tensor.shape}], expected [${shape}]`);
      }
      data = tensor?.data;
    }
    if (data === undefined) {
      throw new AppError('CHECKPOINT_INVALID', `LLaMA weights: tensor ${name} is missing`, {
        hint: 'The reference needs every LlamaForCausalLM tensor, lm_head.weight included (no tied embeddings).',
      });
    }
    if (data.length !== size) {
      throw new AppError('CHECKPOINT_INVALID', `LLaMA weights: ${name} has ${data.length} values, expected ${size} for shape [${shape}]`);
    }
    return data;
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const names = llamaNames.layer(i);
    layers.push({
      inputNorm: read(names.inputNorm),
      q: read(names.q),
      k: read(names.k),
      v: read(names.v),
      o: read(names.o),
      postNorm: read(names.postNorm),
      gate: read(names.gate),
      up: read(names.up),
      down: read(names.down),
    });
  }
  return {
    embedTokens: read(llamaNames.embedTokens),
    layers,
    finalNorm: read(llamaNames.finalNorm),
    lmHead: read(llamaNames.lmHead),
  };
}
