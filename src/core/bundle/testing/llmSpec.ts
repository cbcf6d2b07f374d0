import type { LlmSpec } from '../manifest.ts';

/** The manifest's `llm` section of the tiny factory's model, for tests; override what a test needs (e.g. 7B shapes). */
export function tinyLlmSpec(overrides: Partial<LlmSpec> = {}): LlmSpec {
  return {
    architecture: 'llama',
    hiddenSize: 64,
    intermediateSize: 192,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 4,
    headDim: 16,
    vocabSize: 32000,
    maxPositionEmbeddings: 4096,
    ropeTheta: 10000,
    rmsNormEps: 1e-5,
    bosTokenId: 1,
    eosTokenId: 2,
    lora: { rank: 16, alpha: 16 },
    logits: 'last',
    ...overrides,
  };
}
