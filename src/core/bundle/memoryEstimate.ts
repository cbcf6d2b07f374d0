import { DEFAULT_PREFILL_CHUNK } from '../engine/load.ts';
import { largestPadded, patchGrid, resizeRuleOf } from '../vision/resizeRule.ts';
import type { BundleManifest, BundleVariant } from './manifest.ts';

/** What the user can change to make a model fit; the estimate is recomputed for each. */
export interface MemoryScenario {
  variant: BundleVariant;
  /** Positions the KV cache is allocated for (prompt + answer). */
  contextLength: number;
  /** Images encoded at once at the largest size the preprocessing allows (three for a full-reference comparison). */
  images: number;
}

export interface MemoryEstimate {
  /** Weights of the graphs that run on the GPU (decoder, vision encoder), from the manifest's file sizes. */
  gpuWeightBytes: number;
  /** Static KV cache: 2 × layers × kv heads × head dim × context × element size. */
  kvCacheBytes: number;
  /** Peak activations of the vision encoder for one image of the largest size, plus every image's rows kept. */
  visionActivationBytes: number;
  /** Decoder activations for one prefill chunk, and the logits row. */
  decoderActivationBytes: number;
  gpuTotalBytes: number;
  /** Weights the CPU side holds (the embedding table runs on the CPU). */
  cpuWeightBytes: number;
  /** The largest single weight the GPU must hold in one buffer. */
  largestGpuFileBytes: number;
  /**
   * The largest single GPU buffer: onnxruntime makes one per weight tensor and per activation, so this is the
   * biggest of the LM head, one layer's K or V cache, and the attention scores; it must stay under the adapter's
   * maxStorageBufferBindingSize.
   */
  largestBufferBytes: number;
}

/**
 * GPU memory a bundle needs, from its manifest alone (before any download). Deliberately simple, to be
 * checked by hand: weights are the files' sizes, the cache and activations are products of the shapes.
 */
export function estimateMemory(manifest: BundleManifest, scenario: MemoryScenario): MemoryEstimate {
  const elementBytes = scenario.variant === 'q4f16' ? 2 : 4;
  const graphs = manifest.graphs.filter((graph) => graph.variant === scenario.variant);
  const size = new Map(manifest.files.map((file) => [file.path, file.bytes]));
  const bytesOf = (paths: string[]) => paths.reduce((sum, path) => sum + (size.get(path) ?? 0), 0);
  const onGpu = graphs.filter((graph) => graph.role !== 'embed_tokens');
  const gpuFiles = onGpu.flatMap((graph) => [graph.path, ...graph.externalData]);
  const cpuFiles = graphs.filter((graph) => graph.role === 'embed_tokens').flatMap((graph) => [graph.path, ...graph.externalData]);

  const llm = manifest.llm;
  const kvCacheBytes = 2 * llm.numLayers * llm.numKvHeads * llm.headDim * scenario.contextLength * elementBytes;

  let visionActivationBytes = 0;
  const vision = manifest.vision;
  if (vision) {
    // The largest input the model's rule allows (224×672 → 16×48 patches; 1024 / 2048 → 74×147).
    const tokens = visionTokens(vision);
    const perLayer =
      tokens * vision.intermediateSize + // MLP hidden
      vision.numHeads * tokens * tokens + // attention scores
      4 * tokens * vision.hiddenSize; // residual, norm, q/k/v
    const rows = vision.imageTokens.rule === 'queries' ? vision.imageTokens.count : tokens - 1;
    visionActivationBytes = (perLayer + scenario.images * rows * vision.outputSize) * elementBytes;
  }

  const chunk = Math.min(DEFAULT_PREFILL_CHUNK, scenario.contextLength);
  const decoderActivationBytes =
    (chunk * (2 * llm.intermediateSize + 4 * llm.hiddenSize) + // MLP gate/up, residual and q/k/v/o
      llm.numHeads * chunk * scenario.contextLength) * // attention scores over the cache
      elementBytes +
    llm.vocabSize * 4; // last-position logits, fp32

  // LM head [vocab, hidden]: 4-bit with one scale per block of 32 in the quantized variants, fp32 otherwise.
  const lmHeadBytes =
    scenario.variant === 'fp32' ? llm.vocabSize * llm.hiddenSize * 4 : (llm.vocabSize * llm.hiddenSize) / 2 + (llm.vocabSize * llm.hiddenSize / 32) * elementBytes;
  const kvLayerBytes = llm.numKvHeads * llm.headDim * scenario.contextLength * elementBytes; // [kv heads, context, head dim]
  const decoderScoresBytes = llm.numHeads * chunk * scenario.contextLength * elementBytes; // [heads, chunk, context]
  const visionScoresBytes = vision ? vision.numHeads * visionTokens(vision) ** 2 * elementBytes : 0; // [heads, tokens, tokens]

  const gpuWeightBytes = bytesOf(gpuFiles);
  return {
    gpuWeightBytes,
    kvCacheBytes,
    visionActivationBytes,
    decoderActivationBytes,
    gpuTotalBytes: gpuWeightBytes + kvCacheBytes + visionActivationBytes + decoderActivationBytes,
    cpuWeightBytes: bytesOf(cpuFiles),
    largestGpuFileBytes: Math.max(0, ...gpuFiles.map((path) => size.get(path) ?? 0)),
    largestBufferBytes: Math.max(lmHeadBytes, kvLayerBytes, decoderScoresBytes, visionScoresBytes),
  };
}

/** Tokens of the largest input the model's resize rule allows (224 × 672 → 16 × 48 patches), plus the class token. */
function visionTokens(vision: NonNullable<BundleManifest['vision']>): number {
  const rule = resizeRuleOf(vision);
  const grid = patchGrid(largestPadded(rule), rule);
  return grid.height * grid.width + 1;
}
