import { stringify } from 'yaml';
import type { CheckpointShape, ClipShape, LlamaShape } from './shapes.ts';

/** config.json of the LLM, field for field as lmsys/vicuna-7b-v1.5 ships it (transformers 4.31: no rope_theta). */
export function llamaConfigJson(shape: LlamaShape): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: shape.hidden,
    initializer_range: 0.02,
    intermediate_size: shape.mlp,
    max_position_embeddings: shape.maxPositions,
    model_type: 'llama',
    num_attention_heads: shape.heads,
    num_hidden_layers: shape.layers,
    num_key_value_heads: shape.kvHeads,
    pad_token_id: 0,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    tie_word_embeddings: false,
    torch_dtype: 'float16',
    transformers_version: '4.31.0',
    use_cache: true,
    vocab_size: shape.vocab,
  };
}

/** config.json of a Hugging Face CLIPVisionModel (the vision half of openai/clip-vit-large-patch14). */
export function clipConfigJson(shape: ClipShape): Record<string, unknown> {
  return {
    architectures: ['CLIPVisionModel'],
    attention_dropout: 0,
    dropout: 0,
    hidden_act: 'quick_gelu',
    hidden_size: shape.hidden,
    image_size: shape.imageSize,
    initializer_factor: 1,
    initializer_range: 0.02,
    intermediate_size: shape.mlp,
    layer_norm_eps: 1e-5,
    model_type: 'clip_vision_model',
    num_attention_heads: shape.heads,
    num_channels: 3,
    num_hidden_layers: shape.layers,
    patch_size: shape.patch,
    projection_dim: shape.projectionDim,
    torch_dtype: 'float32',
    transformers_version: '4.31.0',
  };
}

/** preprocessor_config.json as openai/clip-vit-large-patch14 ships it (DepictQA resizes differently; kept for fidelity). */
export function clipPreprocessorJson(shape: ClipShape): Record<string, unknown> {
  return {
    crop_size: shape.imageSize,
    do_center_crop: true,
    do_normalize: true,
    do_resize: true,
    feature_extractor_type: 'CLIPFeatureExtractor',
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
    resample: 3,
    size: shape.imageSize,
  };
}

/**
 * DepictQA's experiment config.yaml for the tiny model, with the released configs' fields that the converter and
 * DepictQA read at inference: DQ495K's (resize 224, max 672, no min_size: CustomTransform's 70) or, with the
 * Abstractor, DQ495K_Abstractor's (resize 1024, max 2048, min 70) and its `model.abstractor` section.
 */
export function depictqaConfigYaml(shape: CheckpointShape, abstractor: boolean): string {
  const model: Record<string, unknown> = { vision_feature_type: 'local' };
  if (abstractor) {
    const a = shape.abstractor;
    model.abstractor = { dim_feedforward: a.ffn, nhead: a.heads, num_layers: a.layers, num_query: a.queries, dropout: 0.1, add_pos_emd: false };
  }
  Object.assign(model, {
    llm_conv_type: 'vicuna_v1',
    lora: { lora_r: 16, lora_alpha: 16, lora_dropout: 0.1, lora_target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] },
    delta_path: './ckpt/ckpt.pt',
    unique_tag: true,
  });
  const visionPreprocess = abstractor
    ? { patch_size: 14, resize: 1024, min_size: 70, max_size: 2048, crop_ratio: [0.7, 1.0], keep_ratio: true }
    : { patch_size: 14, resize: 224, max_size: 672, crop_ratio: [0.7, 1.0], keep_ratio: true };
  const config = {
    seed: 131,
    model,
    infer: { output_prob_id: false, output_confidence: true, temperature: 0.0, top_p: 0.9, max_new_tokens: 400 },
    vision_preprocess: visionPreprocess,
  };
  return `# DepictQA-style config of a tiny random model (written by npm run tiny)\n${stringify(config)}`;
}
