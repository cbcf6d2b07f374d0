/** Architecture numbers of the factory's checkpoints: a tiny model for tests, and the real 7B shapes. */

export interface LlamaShape {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  /** MLP width (intermediate_size). */
  mlp: number;
  vocab: number;
  maxPositions: number;
}

export interface ClipShape {
  hidden: number;
  layers: number;
  heads: number;
  /** MLP width, 4 × hidden in CLIP. */
  mlp: number;
  patch: number;
  imageSize: number;
  projectionDim: number;
}

/** DepictQA's Abstractor: learned queries read the patch tokens through a post-norm nn.TransformerDecoder. */
export interface AbstractorShape {
  queries: number;
  layers: number;
  heads: number;
  /** dim_feedforward of each decoder layer. */
  ffn: number;
}

export interface CheckpointShape {
  name: ShapeName;
  llm: LlamaShape;
  clip: ClipShape;
  /** Used when the factory is asked for an Abstractor model; d_model is the CLIP hidden size. */
  abstractor: AbstractorShape;
  /** DepictQA's LoRA rank (alpha equals it, so the merge scale is 1). */
  loraRank: number;
  /** Shard limit for the LLM weights (Hugging Face's rule; Vicuna-7B used 10 GB). */
  maxShardBytes: number;
}

export type ShapeName = 'tiny' | 'llama-7b';

export const SHAPES: Record<ShapeName, CheckpointShape> = {
  tiny: {
    name: 'tiny',
    llm: { hidden: 64, layers: 2, heads: 4, kvHeads: 4, mlp: 192, vocab: 32000, maxPositions: 4096 },
    clip: { hidden: 64, layers: 2, heads: 4, mlp: 256, patch: 14, imageSize: 224, projectionDim: 64 },
    // DepictQA's query count, layer count and head count (the converter's default), a narrow FFN.
    abstractor: { queries: 64, layers: 4, heads: 8, ffn: 128 },
    loraRank: 16,
    // 5 MB: the embeddings and both layers in the first shard, lm_head in the second, so the sharded path is exercised.
    maxShardBytes: 5_000_000,
  },
  'llama-7b': {
    name: 'llama-7b',
    llm: { hidden: 4096, layers: 32, heads: 32, kvHeads: 32, mlp: 11008, vocab: 32000, maxPositions: 4096 },
    clip: { hidden: 1024, layers: 24, heads: 16, mlp: 4096, patch: 14, imageSize: 224, projectionDim: 768 },
    // experiments/DQ495K_Abstractor/config.yaml: num_query 64, num_layers 4, nhead 8, dim_feedforward 2048.
    abstractor: { queries: 64, layers: 4, heads: 8, ffn: 2048 },
    loraRank: 16,
    // As Vicuna-7B-v1.5 ships: shards of 9.98 GB and 3.5 GB.
    maxShardBytes: 10_000_000_000,
  },
};
