import type { ClipShape, LlamaShape } from './shapes.ts';

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
