import { sourceBytes, type TensorSource } from '../../converter/checkpoint/tensorSource.ts';
import { randomSource, type Distribution } from './random.ts';

/** A tiny BERT sentence model (all-MiniLM-L6-v2's architecture: BertModel, mean pooling, L2 normalisation). */
export interface EmbedderShape {
  hidden: number;
  layers: number;
  heads: number;
  /** intermediate_size. */
  mlp: number;
  maxPositions: number;
  typeVocab: number;
  layerNormEps: number;
}

export const TINY_EMBEDDER: EmbedderShape = { hidden: 32, layers: 2, heads: 4, mlp: 64, maxPositions: 64, typeVocab: 2, layerNormEps: 1e-12 };

/** Hugging Face BertModel's config.json for the shape. */
export function embedderConfigJson(shape: EmbedderShape, vocab: number): unknown {
  return {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: vocab,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.mlp,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: shape.typeVocab,
    initializer_range: 0.02,
    layer_norm_eps: shape.layerNormEps,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    torch_dtype: 'float32',
    depictqa_random_weights: true,
  };
}

/**
 * Scales chosen so that a random model is not degenerate: unit-scale word embeddings (position embeddings,
 * shared by every text, smaller so that they do not make all texts alike), and projections of std 0.15
 * (≈ 1/√hidden), so attention is far from uniform and a masking mistake would show.
 */
const EMBEDDING: Distribution = { mean: 0, std: 1 };
const POSITION: Distribution = { mean: 0, std: 0.2 };
const MATRIX: Distribution = { mean: 0, std: 0.15 };
const BIAS: Distribution = { mean: 0, std: 0.02 };
const NORM: Distribution = { mean: 1, std: 0.1 };

/** BertModel's state dict names (as sentence-transformers saves all-MiniLM-L6-v2: no "bert." prefix, no pooler). */
export function embedderSources(shape: EmbedderShape, vocab: number, seed: number): TensorSource[] {
  const { hidden, mlp } = shape;
  const linear = (name: string, out: number, input: number) => [
    randomSource(`${name}.weight`, 'F32', [out, input], MATRIX, seed),
    randomSource(`${name}.bias`, 'F32', [out], BIAS, seed),
  ];
  const layerNorm = (name: string) => [randomSource(`${name}.weight`, 'F32', [hidden], NORM, seed), randomSource(`${name}.bias`, 'F32', [hidden], BIAS, seed)];
  const sources = [
    randomSource('embeddings.word_embeddings.weight', 'F32', [vocab, hidden], EMBEDDING, seed),
    randomSource('embeddings.position_embeddings.weight', 'F32', [shape.maxPositions, hidden], POSITION, seed),
    randomSource('embeddings.token_type_embeddings.weight', 'F32', [shape.typeVocab, hidden], EMBEDDING, seed),
    ...layerNorm('embeddings.LayerNorm'),
  ];
  for (let i = 0; i < shape.layers; i++) {
    const p = `encoder.layer.${i}`;
    sources.push(
      ...linear(`${p}.attention.self.query`, hidden, hidden),
      ...linear(`${p}.attention.self.key`, hidden, hidden),
      ...linear(`${p}.attention.self.value`, hidden, hidden),
      ...linear(`${p}.attention.output.dense`, hidden, hidden),
      ...layerNorm(`${p}.attention.output.LayerNorm`),
      ...linear(`${p}.intermediate.dense`, mlp, hidden),
      ...linear(`${p}.output.dense`, hidden, mlp),
      ...layerNorm(`${p}.output.LayerNorm`),
    );
  }
  return sources;
}

/** A source's values as one Float32Array (the tiny model's tensors are a few KB). */
export function sourceValues(source: TensorSource): Float32Array {
  return new Float32Array(sourceBytes(source).buffer);
}
