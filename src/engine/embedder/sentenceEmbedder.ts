import { createEmbedTexts, type EmbedTexts, type EmbedTextsOptions, type FeatureExtractor } from '../../core/confidence/index.ts';

/** The sentence embedder of the detailed-answer confidence, however it was loaded (Node folder, browser source). */
export interface SentenceEmbedder {
  embedTexts: EmbedTexts;
  dispose(): Promise<void>;
}

/** The parts of a transformers.js `FeatureExtractionPipeline` used here. */
export interface ExtractorPipeline {
  (texts: string[], options: { pooling: 'mean'; normalize: true }): Promise<unknown>;
  dispose(): Promise<unknown>;
}

/** A loaded `feature-extraction` pipeline as the engine's sentence embedder: mean pooling, normalised. */
export function sentenceEmbedderOf(extractor: ExtractorPipeline, options: EmbedTextsOptions = {}): SentenceEmbedder {
  // Mean-pooled, normalised features are float32; transformers.js types a tensor's data as any typed array.
  const call: FeatureExtractor = (texts, pooling) => extractor(texts, pooling) as ReturnType<FeatureExtractor>;
  return {
    embedTexts: createEmbedTexts(call, options),
    dispose: async () => {
      await extractor.dispose();
    },
  };
}
