import { AppError } from '../errors.ts';
import type { EmbedTexts } from './detailConfidence.ts';

/**
 * Sentence embeddings for the detailed-answer confidence, from a transformers.js `feature-extraction` pipeline
 * (or anything called the same way) with mean pooling over the attention mask and L2 normalisation, as
 * sentence-transformers' all-MiniLM-L6-v2 computes them. Kept free of the library itself, so src/core stays
 * runtime-free: the caller loads the pipeline and hands it in.
 */

/** The part of a transformers.js `FeatureExtractionPipeline` this needs; its result is a Tensor [texts, dim]. */
export type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: true },
) => Promise<{ data: ArrayLike<number>; dims: readonly number[] }>;

export interface EmbedTextsOptions {
  /**
   * Texts per pipeline call. A detailed answer's deletion texts normally go in one call; a very long answer is
   * split so that one call's attention scores ([texts, heads, tokens, tokens] floats) stay within memory. Default 64.
   */
  batchSize?: number;
}

export function createEmbedTexts(extractor: FeatureExtractor, options: EmbedTextsOptions = {}): EmbedTexts {
  const batchSize = options.batchSize ?? 64;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new AppError('INTERNAL', `embedTexts: batch size ${batchSize} is not a positive integer`);
  return async (texts) => {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const result = await extractor(batch, { pooling: 'mean', normalize: true });
      const [rows, dim] = result.dims;
      if (result.dims.length !== 2 || rows !== batch.length || dim === undefined || result.data.length !== rows * dim) {
        throw new AppError('MODEL_RUN_FAILED', `The sentence embedder returned shape [${result.dims.join(', ')}] for ${batch.length} texts.`);
      }
      for (let row = 0; row < rows; row++) out.push(Float32Array.from({ length: dim }, (_, k) => result.data[row * dim + k]!));
    }
    return out;
  };
}
