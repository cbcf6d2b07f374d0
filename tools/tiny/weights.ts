import { llamaNames } from '../../converter/checkpoint/llamaConfig.ts';
import type { TensorSource } from '../../converter/checkpoint/tensorSource.ts';
import { randomSource, valuesSource, type Distribution } from './random.ts';
import type { CheckpointShape, ClipShape, LlamaShape } from './shapes.ts';

/**
 * The tensors of each original file, in the order the original tools write them, with deterministic random values.
 * Scales: weight matrices, embeddings and biases ~ Normal(0, 0.02) (LLaMA's and CLIP's initializer_range);
 * norm weights ~ Normal(1, 0.1), so that norms scale near 1 without being exactly 1 (a wrong norm would show).
 * The final hidden state is RMS-normalised, so logits spread about √hidden · 0.02 (≈ 0.16 for the tiny model):
 * small but distinct values over the 32,000 tokens, not a degenerate constant.
 * LoRA A and B both ~ Normal(0, 0.02): B is NOT zero (as it is at initialisation) so that merging changes W by ~8%.
 */
const MATRIX: Distribution = { mean: 0, std: 0.02 };
const NORM: Distribution = { mean: 1, std: 0.1 };
/** The Abstractor's queries start as torch.randn (std 1); post-norm layers keep them at that scale. */
const QUERIES: Distribution = { mean: 0, std: 1 };

/** Vicuna-7B-v1.5's state dict (LlamaForCausalLM, fp16). `withInvFreq` adds the rotary buffers that transformers 4.31 saved. */
export function llamaSources(shape: LlamaShape, seed: number, withInvFreq: boolean): TensorSource[] {
  const { hidden, heads, kvHeads, mlp, vocab } = shape;
  const headDim = hidden / heads;
  const sources: TensorSource[] = [randomSource(llamaNames.embedTokens, 'F16', [vocab, hidden], MATRIX, seed)];
  // theta^(−2i/d), as LlamaRotaryEmbedding computes it (rope_theta 10000).
  const invFreq = Float32Array.from({ length: headDim / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / headDim));
  for (let i = 0; i < shape.layers; i++) {
    const names = llamaNames.layer(i);
    sources.push(
      randomSource(names.q, 'F16', [heads * headDim, hidden], MATRIX, seed),
      randomSource(names.k, 'F16', [kvHeads * headDim, hidden], MATRIX, seed),
      randomSource(names.v, 'F16', [kvHeads * headDim, hidden], MATRIX, seed),
      randomSource(names.o, 'F16', [hidden, heads * headDim], MATRIX, seed),
    );
    if (withInvFreq) sources.push(valuesSource(`model.layers.${i}.self_attn.rotary_emb.inv_freq`, 'F16', invFreq));
    sources.push(
      randomSource(names.gate, 'F16', [mlp, hidden], MATRIX, seed),
      randomSource(names.up, 'F16', [mlp, hidden], MATRIX, seed),
      randomSource(names.down, 'F16', [hidden, mlp], MATRIX, seed),
      randomSource(names.inputNorm, 'F16', [hidden], NORM, seed),
      randomSource(names.postNorm, 'F16', [hidden], NORM, seed),
    );
  }
  sources.push(randomSource(llamaNames.finalNorm, 'F16', [hidden], NORM, seed), randomSource(llamaNames.lmHead, 'F16', [vocab, hidden], MATRIX, seed));
  return sources;
}

/** Hugging Face CLIPVisionModel's state dict (`vision_model.*`, fp32 as openai/clip-vit-large-patch14 ships it). */
export function clipSources(shape: ClipShape, seed: number): TensorSource[] {
  const { hidden, mlp, patch } = shape;
  const positions = (shape.imageSize / patch) ** 2 + 1;
  const p = 'vision_model';
  const linear = (name: string, out: number, input: number) => [
    randomSource(`${name}.weight`, 'F32', [out, input], MATRIX, seed),
    randomSource(`${name}.bias`, 'F32', [out], MATRIX, seed),
  ];
  const layerNorm = (name: string) => [
    randomSource(`${name}.weight`, 'F32', [hidden], NORM, seed),
    randomSource(`${name}.bias`, 'F32', [hidden], MATRIX, seed),
  ];
  const sources: TensorSource[] = [
    randomSource(`${p}.embeddings.class_embedding`, 'F32', [hidden], MATRIX, seed),
    randomSource(`${p}.embeddings.patch_embedding.weight`, 'F32', [hidden, 3, patch, patch], MATRIX, seed),
    randomSource(`${p}.embeddings.position_embedding.weight`, 'F32', [positions, hidden], MATRIX, seed),
    ...layerNorm(`${p}.pre_layrnorm`),
  ];
  for (let i = 0; i < shape.layers; i++) {
    const layer = `${p}.encoder.layers.${i}`;
    sources.push(
      ...linear(`${layer}.self_attn.k_proj`, hidden, hidden),
      ...linear(`${layer}.self_attn.v_proj`, hidden, hidden),
      ...linear(`${layer}.self_attn.q_proj`, hidden, hidden),
      ...linear(`${layer}.self_attn.out_proj`, hidden, hidden),
      ...layerNorm(`${layer}.layer_norm1`),
      ...linear(`${layer}.mlp.fc1`, mlp, hidden),
      ...linear(`${layer}.mlp.fc2`, hidden, mlp),
      ...layerNorm(`${layer}.layer_norm2`),
    );
  }
  sources.push(...layerNorm(`${p}.post_layernorm`));
  return sources;
}

/**
 * DepictQA's `ckpt.pt`: the projector and the LoRA factors of every attention projection (fp16), and with
 * `withAbstractor` the Abstractor's decoder layers and queries (DepictQA2-Abstractor).
 */
export function deltaSources(shape: CheckpointShape, seed: number, withAbstractor = false): TensorSource[] {
  const { hidden, heads, kvHeads, layers } = shape.llm;
  const headDim = hidden / heads;
  const r = shape.loraRank;
  const sources: TensorSource[] = [
    randomSource('vision_proj.weight', 'F16', [hidden, shape.clip.hidden], MATRIX, seed),
    randomSource('vision_proj.bias', 'F16', [hidden], MATRIX, seed),
  ];
  // [out, in] of each adapted projection.
  const projections: Array<[string, number, number]> = [
    ['q_proj', heads * headDim, hidden],
    ['k_proj', kvHeads * headDim, hidden],
    ['v_proj', kvHeads * headDim, hidden],
    ['o_proj', hidden, heads * headDim],
  ];
  for (let i = 0; i < layers; i++) {
    for (const [projection, out, input] of projections) {
      const name = `llm.base_model.model.model.layers.${i}.self_attn.${projection}`;
      sources.push(
        randomSource(`${name}.lora_A.default.weight`, 'F16', [r, input], MATRIX, seed), // [r, in]
        randomSource(`${name}.lora_B.default.weight`, 'F16', [out, r], MATRIX, seed), // [out, r]
      );
    }
  }
  if (withAbstractor) sources.push(...abstractorSources(shape, seed));
  return sources;
}

/**
 * DepictQA's `AbstractorModel` state dict under the `abstractor.` prefix, in PyTorch's order: the
 * nn.TransformerDecoder (`abstractor.abstractor.layers.{i}.*`, nn.TransformerDecoderLayer's names) registered
 * first, then `abstractor.query_embeds` [queries, 1, d] (sequence-first, batch 1). d_model is the CLIP width.
 */
export function abstractorSources(shape: CheckpointShape, seed: number): TensorSource[] {
  const d = shape.clip.hidden;
  const { ffn, layers, queries } = shape.abstractor;
  const sources: TensorSource[] = [];
  for (let i = 0; i < layers; i++) {
    const p = `abstractor.abstractor.layers.${i}`;
    for (const attention of ['self_attn', 'multihead_attn']) {
      sources.push(
        randomSource(`${p}.${attention}.in_proj_weight`, 'F16', [3 * d, d], MATRIX, seed), // q, k, v rows stacked
        randomSource(`${p}.${attention}.in_proj_bias`, 'F16', [3 * d], MATRIX, seed),
        randomSource(`${p}.${attention}.out_proj.weight`, 'F16', [d, d], MATRIX, seed),
        randomSource(`${p}.${attention}.out_proj.bias`, 'F16', [d], MATRIX, seed),
      );
    }
    sources.push(
      randomSource(`${p}.linear1.weight`, 'F16', [ffn, d], MATRIX, seed),
      randomSource(`${p}.linear1.bias`, 'F16', [ffn], MATRIX, seed),
      randomSource(`${p}.linear2.weight`, 'F16', [d, ffn], MATRIX, seed),
      randomSource(`${p}.linear2.bias`, 'F16', [d], MATRIX, seed),
    );
    for (const norm of ['norm1', 'norm2', 'norm3']) {
      sources.push(randomSource(`${p}.${norm}.weight`, 'F16', [d], NORM, seed), randomSource(`${p}.${norm}.bias`, 'F16', [d], MATRIX, seed));
    }
  }
  sources.push(randomSource('abstractor.query_embeds', 'F16', [queries, 1, d], QUERIES, seed));
  return sources;
}
