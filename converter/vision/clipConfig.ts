/**
 * The CLIP vision tower's numbers and Hugging Face tensor names (CLIPVisionModel, `vision_model.*`), and the
 * shapes DepictQA's projector and Abstractor must have. Read from `config.json` of a CLIPVisionModel folder, or of
 * a full CLIPModel (openai/clip-vit-large-patch14), whose vision numbers sit under `vision_config`.
 */
import { AppError } from '../../src/core/errors.ts';
import { PATCH_SIZE } from '../../src/core/vision/resizeRule.ts';

/** The CLIPVisionConfig fields the vision graph needs (Hugging Face's names). */
export interface ClipVisionConfig {
  hidden_size: number;
  intermediate_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  patch_size: number;
  /** 224 for ViT-L/14: the position table covers a (image_size / patch_size)² grid. */
  image_size: number;
  layer_norm_eps: number;
}

/** DepictQA's Abstractor: `num_query` queries through a post-norm nn.TransformerDecoder of width d = CLIP hidden. */
export interface AbstractorConfig {
  numQueries: number;
  numLayers: number;
  numHeads: number;
  /** dim_feedforward. */
  intermediateSize: number;
  hiddenSize: number;
  layerNormEps: number;
}

const HINT = 'Point --clip at the Hugging Face openai/clip-vit-large-patch14 folder (config.json and model.safetensors).';

/** Validates a parsed config.json; `file` names it in errors. */
export function parseClipVisionConfig(json: unknown, file: string): ClipVisionConfig {
  if (typeof json !== 'object' || json === null) throw new AppError('CHECKPOINT_INVALID', `${file}: not a JSON object`, { hint: HINT });
  const top = json as Record<string, unknown>;
  // A full CLIPModel keeps the tower's numbers in vision_config (older saves: vision_config_dict).
  const nested = top.vision_config ?? top.vision_config_dict;
  const raw = (typeof nested === 'object' && nested !== null ? nested : top) as Record<string, unknown>;
  const where = raw === top ? file : `${file} (vision_config)`;
  if (raw === top && top.model_type !== undefined && top.model_type !== 'clip_vision_model' && top.model_type !== 'clip') {
    throw new AppError('CHECKPOINT_INVALID', `${file}: model_type "${String(top.model_type)}" is not a CLIP vision model`, { hint: HINT });
  }
  const integer = (key: string, fallback?: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new AppError('CHECKPOINT_INVALID', `${where}: "${key}" is ${value === undefined ? 'missing' : `not a positive integer (${JSON.stringify(value)})`}`, { hint: HINT });
    }
    return value;
  };
  const config: ClipVisionConfig = {
    hidden_size: integer('hidden_size'),
    intermediate_size: integer('intermediate_size'),
    num_attention_heads: integer('num_attention_heads'),
    num_hidden_layers: integer('num_hidden_layers'),
    patch_size: integer('patch_size'),
    // Hugging Face's CLIPVisionConfig defaults, used when a config omits them.
    image_size: integer('image_size', 224),
    layer_norm_eps: typeof raw.layer_norm_eps === 'number' && raw.layer_norm_eps > 0 ? raw.layer_norm_eps : 1e-5,
  };
  const activation = raw.hidden_act ?? 'quick_gelu';
  if (activation !== 'quick_gelu') {
    throw new AppError('CHECKPOINT_INVALID', `${where}: hidden_act "${String(activation)}" is not quick_gelu, which CLIP ViT-L/14 uses`, { hint: HINT });
  }
  if (raw.num_channels !== undefined && raw.num_channels !== 3) {
    throw new AppError('CHECKPOINT_INVALID', `${where}: num_channels ${String(raw.num_channels)} is not 3 (RGB)`, { hint: HINT });
  }
  if (config.patch_size !== PATCH_SIZE) {
    throw new AppError('CHECKPOINT_INVALID', `${where}: patch_size ${config.patch_size} is not ${PATCH_SIZE}; DepictQA uses CLIP ViT-L/14`, { hint: HINT });
  }
  if (config.image_size % config.patch_size !== 0) {
    throw new AppError('CHECKPOINT_INVALID', `${where}: image_size ${config.image_size} is not a multiple of patch_size ${config.patch_size}`, { hint: HINT });
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new AppError('CHECKPOINT_INVALID', `${where}: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads ${config.num_attention_heads}`, { hint: HINT });
  }
  return config;
}

/** The side of the square patch grid the position table was trained on (16 for ViT-L/14 at 224 pixels). */
export function positionGrid(config: ClipVisionConfig): number {
  return config.image_size / config.patch_size;
}

const p = 'vision_model';

/** Hugging Face tensor names of CLIPVisionModel (the same under CLIPModel). */
export const clipNames = {
  classEmbedding: `${p}.embeddings.class_embedding`, // [hidden]
  patchEmbedding: `${p}.embeddings.patch_embedding.weight`, // [hidden, 3, patch, patch]
  positionEmbedding: `${p}.embeddings.position_embedding.weight`, // [1 + grid², hidden]
  preNorm: { weight: `${p}.pre_layrnorm.weight`, bias: `${p}.pre_layrnorm.bias` }, // HF's spelling
  layer: (i: number) => {
    const l = `${p}.encoder.layers.${i}`;
    const linear = (name: string) => ({ weight: `${l}.${name}.weight`, bias: `${l}.${name}.bias` });
    return {
      norm1: linear('layer_norm1'), // [hidden]
      q: linear('self_attn.q_proj'), // [hidden, hidden]
      k: linear('self_attn.k_proj'),
      v: linear('self_attn.v_proj'),
      out: linear('self_attn.out_proj'),
      norm2: linear('layer_norm2'),
      fc1: linear('mlp.fc1'), // [mlp, hidden]
      fc2: linear('mlp.fc2'), // [hidden, mlp]
    };
  },
};

/** Every tensor the vision graph reads from the CLIP checkpoint, with its shape. post_layernorm is not used. */
export function clipWeightShapes(config: ClipVisionConfig): Map<string, number[]> {
  const { hidden_size: h, intermediate_size: m, patch_size: patch } = config;
  const grid = positionGrid(config);
  const shapes = new Map<string, number[]>([
    [clipNames.classEmbedding, [h]],
    [clipNames.patchEmbedding, [h, 3, patch, patch]],
    [clipNames.positionEmbedding, [1 + grid * grid, h]],
    [clipNames.preNorm.weight, [h]],
    [clipNames.preNorm.bias, [h]],
  ]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const n = clipNames.layer(i);
    for (const linear of [n.q, n.k, n.v, n.out]) shapes.set(linear.weight, [h, h]).set(linear.bias, [h]);
    for (const norm of [n.norm1, n.norm2]) shapes.set(norm.weight, [h]).set(norm.bias, [h]);
    shapes.set(n.fc1.weight, [m, h]).set(n.fc1.bias, [m]).set(n.fc2.weight, [h, m]).set(n.fc2.bias, [h]);
  }
  return shapes;
}

/** DepictQA's projector (`vision_proj`, nn.Linear) and Abstractor (`abstractor.*`) key names in ckpt.pt. */
export const deltaVisionNames = {
  projection: { weight: 'vision_proj.weight', bias: 'vision_proj.bias' }, // [llm hidden, clip hidden], [llm hidden]
  queries: 'abstractor.query_embeds', // [queries, 1, d]: sequence-first, batch 1
  layer: (i: number) => {
    const l = `abstractor.abstractor.layers.${i}`;
    const pair = (name: string) => ({ weight: `${l}.${name}.weight`, bias: `${l}.${name}.bias` });
    const attention = (name: string) => ({
      inProj: { weight: `${l}.${name}.in_proj_weight`, bias: `${l}.${name}.in_proj_bias` }, // [3d, d]: q, k, v rows
      outProj: pair(`${name}.out_proj`),
    });
    return {
      selfAttention: attention('self_attn'),
      crossAttention: attention('multihead_attn'),
      linear1: pair('linear1'), // [ffn, d]
      linear2: pair('linear2'), // [d, ffn]
      norm1: pair('norm1'),
      norm2: pair('norm2'),
      norm3: pair('norm3'),
    };
  },
};

/** Every Abstractor tensor and its shape. */
export function abstractorWeightShapes(config: AbstractorConfig): Map<string, number[]> {
  const { hiddenSize: d, intermediateSize: f } = config;
  const shapes = new Map<string, number[]>([[deltaVisionNames.queries, [config.numQueries, 1, d]]]);
  for (let i = 0; i < config.numLayers; i++) {
    const n = deltaVisionNames.layer(i);
    for (const attention of [n.selfAttention, n.crossAttention]) {
      shapes.set(attention.inProj.weight, [3 * d, d]).set(attention.inProj.bias, [3 * d]);
      shapes.set(attention.outProj.weight, [d, d]).set(attention.outProj.bias, [d]);
    }
    shapes.set(n.linear1.weight, [f, d]).set(n.linear1.bias, [f]).set(n.linear2.weight, [d, f]).set(n.linear2.bias, [d]);
    for (const norm of [n.norm1, n.norm2, n.norm3]) shapes.set(norm.weight, [d]).set(norm.bias, [d]);
  }
  return shapes;
}

/** The vision side of a bundle: the CLIP tower, the projector into the LLM and DepictQA's optional Abstractor. */
export interface VisionModel {
  clip: ClipVisionConfig;
  /** vision_proj: Linear(clip hidden → llm hidden) with bias. */
  projection: { inFeatures: number; outFeatures: number };
  abstractor: AbstractorConfig | null;
}
