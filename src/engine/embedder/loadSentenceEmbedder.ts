import { env, pipeline } from '@huggingface/transformers';
import type { EmbedTextsOptions } from '../../core/confidence/index.ts';
import { AppError } from '../../core/errors.ts';
import { sentenceEmbedderOf, type ExtractorPipeline, type SentenceEmbedder } from './sentenceEmbedder.ts';

export type { SentenceEmbedder } from './sentenceEmbedder.ts';

/**
 * The sentence embedder of the detailed-answer confidence (all-MiniLM-L6-v2, or the tiny test model), loaded as
 * a transformers.js `feature-extraction` pipeline from a folder the user chose. Never from the Hub: remote model
 * ids are switched off. In Node, transformers.js runs it on onnxruntime-node (CPU); the browser's loader is
 * `openBrowserEmbedder`.
 *
 * Known difference from sentence-transformers: texts longer than the tokenizer's `model_max_length` are cut
 * by transformers.js after [SEP] is added (so [SEP] is lost), and at 512 tokens for all-MiniLM-L6-v2, where
 * sentence-transformers cuts at 256 (`max_seq_length`) and keeps [SEP]. Answers under ~250 word pieces are not
 * affected.
 */
export async function loadSentenceEmbedder(location: string, options: EmbedTextsOptions = {}): Promise<SentenceEmbedder> {
  env.allowRemoteModels = false;
  let extractor;
  try {
    extractor = await pipeline('feature-extraction', location, { local_files_only: true, dtype: 'fp32' });
  } catch (cause) {
    throw new AppError('MODEL_LOAD_FAILED', `The sentence embedder at ${location} could not be loaded.`, {
      hint: 'Choose a folder with config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx.',
      cause,
    });
  }
  return sentenceEmbedderOf(extractor as unknown as ExtractorPipeline, options);
}
