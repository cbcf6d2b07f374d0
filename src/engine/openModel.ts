import type { BundleFiles } from '../core/bundle/bundleFiles.ts';
import type { GpuAdapterReport } from '../core/capabilities.ts';
import { graphsFor, type BundleManifest, type GraphSpec } from '../core/bundle/manifest.ts';
import { CAPTURE_DEFAULT_MAX_WEIGHT_BYTES, type DecodeMode, DEFAULT_PREFILL_CHUNK, type LoadedModelInfo, type LoadEvent, type LoadOptions } from '../core/engine/load.ts';
import { AppError } from '../core/errors.ts';
import type { EngineHost } from './EngineHost.ts';
import type { ConfidenceIds } from './generation/generateAnswer.ts';
import { gpuFailureError } from './gpu/gpuErrors.ts';
import { GpuGuard } from './gpu/gpuGuard.ts';
import { GuardedEncoder } from './gpu/guardedEncoder.ts';
import { CpuKvCache, GpuKvCache, kvLayout, OutputKvCache, type KvCache } from './llm/KvCache.ts';
import { CapturedDecodeStep } from './llm/CapturedDecodeStep.ts';
import { LanguageModel, type WorkCounters } from './llm/LanguageModel.ts';
import { SequenceCache } from './llm/SequenceCache.ts';
import type { VariantChoice } from '../core/bundle/variantChoice.ts';
import { openGraphSession, type Ort, type OrtSession } from './runtime/graphSession.ts';
import type { TextTokenizer } from '../core/prompt/textTokenizer.ts';
import { loadBundleTokenizer } from './text/BundleTokenizer.ts';
import { OnnxImageEncoder, type ImageEncoder } from './vision/ImageEncoder.ts';
import { ImageFeatureCache } from './vision/ImageFeatureCache.ts';
import { checkVisionPreprocessing } from './vision/visionSpec.ts';
import { modelResizeRule } from '../core/vision/resizeRule.ts';

/**
 * onnxruntime-web's WebGPU GroupQueryAttention takes its subgroup (flash attention) path on any adapter with the
 * `subgroups` feature; on SwiftShader, whose subgroups are 4 wide, its output is wrong from 32 new positions per
 * run on (max error ≈ 0.2 against the wasm EP for 32, 64, 250 positions; ≤ 1e-7 up to 31; present KV always
 * right). Later onnxruntime versions require subgroups of at least 16 there. On such adapters the prefill runs
 * in chunks below that size, unless the caller sets `prefillChunk` itself.
 */
export const NARROW_SUBGROUP_PREFILL_CHUNK = 31;
const MIN_FLASH_ATTENTION_SUBGROUP = 16;

/**
 * Whether GroupQueryAttention's subgroup path may run with subgroups too narrow for it: read off onnxruntime's own
 * device where it hands one out (the browser), else off the probed adapter (onnxruntime-node, whose Dawn device
 * stays inside it; Mesa's lavapipe there has 8-wide subgroups on an AVX2 CPU).
 */
export function hasNarrowSubgroups(device: GPUDevice | null, adapter: GpuAdapterReport | null): boolean {
  if (device !== null) {
    const info = device.adapterInfo as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    if (info === undefined || !device.features.has('subgroups')) return false;
    return info.isFallbackAdapter === true || (info.subgroupMinSize !== undefined && info.subgroupMinSize < MIN_FLASH_ATTENTION_SUBGROUP);
  }
  if (adapter === null || !adapter.features.includes('subgroups')) return false;
  return adapter.isFallbackAdapter || (adapter.subgroupMinSize !== null && adapter.subgroupMinSize < MIN_FLASH_ATTENTION_SUBGROUP);
}

/** The variant and backend to open, and the adapter the capability probe found (null without WebGPU). */
export interface ModelChoice extends VariantChoice {
  adapter: GpuAdapterReport | null;
}

/** A bundle ready to answer: sessions, KV cache, tokenizer and the session's encoded images. */
export interface LoadedModel {
  info: LoadedModelInfo;
  tokenizer: TextTokenizer;
  cache: SequenceCache;
  images: ImageFeatureCache;
  confidenceIds: ConfidenceIds | null;
  eosTokenId: number;
  prefillChunk: number;
  /** onnxruntime's GPU device under watch: error scopes, uncaptured errors, loss (a no-op on the CPU backend). */
  gpu: GpuGuard;
  /**
   * After a GPU failure: releases the sessions and the KV cache and opens them again from the same bundle files
   * (no download), on a fresh device; the encoded images' rows (CPU copies) are kept.
   */
  rebuild(): Promise<LoadedModel>;
  /** Releases everything: sessions, GPU buffers, image rows. */
  dispose(): Promise<void>;
}

/** What a rebuild keeps of the model it replaces. */
interface Kept {
  images: ImageFeatureCache;
  encoder: GuardedEncoder | null;
}

/**
 * 1. tokenizer, 2. embed_tokens on the CPU, 3. decoder on the chosen backend with the KV cache outputs kept on
 * the GPU there, 4. the KV cache, allocated once, 5. the vision encoder. Whatever opened is released on failure.
 */
export async function openModel(
  ort: Ort,
  files: BundleFiles,
  choice: ModelChoice,
  host: EngineHost,
  options: LoadOptions,
  counters: WorkCounters,
  emit: (event: LoadEvent) => void,
  kept?: Kept,
): Promise<LoadedModel> {
  const started = performance.now();
  const { manifest } = files;
  const llm = manifest.llm;
  const { maxContext } = resolveLoadOptions(manifest, options);
  let { prefillChunk } = resolveLoadOptions(manifest, options);
  const graphs = graphsFor(manifest, choice.variant);
  const part = (name: 'tokenizer' | 'embed_tokens' | 'decoder' | 'vision_encoder') => emit({ type: 'part', part: name, elapsedMs: performance.now() - started });
  const sessions: OrtSession[] = [];
  let cache: KvCache | null = null;
  let step: CapturedDecodeStep | null = null;
  let encoder: ImageEncoder | null = null;
  let gpu: GpuGuard | null = null;
  try {
    // 1. Tokenizer.
    const tokenizer = await loadBundleTokenizer(files);
    part('tokenizer');

    // 2. embed_tokens: a table lookup, cheaper on the CPU than a GPU round trip.
    const embedSession = await openGraphSession(ort, files, required(graphs.get('embed_tokens'), 'embed_tokens', choice), { backend: 'wasm' });
    sessions.push(embedSession);
    part('embed_tokens');

    // 3. Decoder, and whether its decode steps are captured (see `captureDecision`).
    const decoderGraph = required(graphs.get('decoder'), 'decoder', choice);
    const layout = kvLayout(decoderGraph);
    const fallback = host.disableCpuFallback === undefined ? {} : { disableCpuFallback: host.disableCpuFallback };
    const decoderSession = await openGraphSession(ort, files, decoderGraph, {
      backend: choice.backend,
      gpuOutputs: layout.pairs.map((pair) => pair.present),
      ...fallback,
    });
    sessions.push(decoderSession);

    // 4. KV cache, on onnxruntime's own GPU device (it exists once a WebGPU session does). onnxruntime-node
    // runs WebGPU without handing out its device: there the cache lives in GPU tensors of its own outputs.
    const device = choice.backend === 'webgpu' ? ((await ort.env.webgpu.device) ?? null) : null;
    // From here on, loading runs inside the device's error scopes (a no-op without a device).
    gpu = new GpuGuard(device);
    const loading = gpu.begin('loading the model');
    let decode: DecodeMode;
    if (device !== null) {
      const gpuCache = await GpuKvCache.create(ort, layout, maxContext);
      cache = gpuCache;
      decode = await captureDecision(files, decoderGraph, host, options);
      if (decode.graphCapture) {
        step = await CapturedDecodeStep.open(ort, device, files, decoderGraph, gpuCache, { hiddenSize: llm.hiddenSize, vocabSize: llm.vocabSize }, fallback);
      }
    } else {
      cache = choice.backend === 'webgpu' ? new OutputKvCache(ort, layout, maxContext) : new CpuKvCache(ort, layout, maxContext);
      decode = { graphCapture: false, reason: await captureRefusal(choice, host, options) };
    }
    if (choice.backend === 'webgpu' && options.prefillChunk === undefined && hasNarrowSubgroups(device, choice.adapter)) {
      prefillChunk = Math.min(prefillChunk, NARROW_SUBGROUP_PREFILL_CHUNK);
    }
    const model = new LanguageModel(ort, embedSession, decoderSession, decoderGraph, cache, llm.hiddenSize, counters, step);
    part('decoder');

    // 5. Vision encoder.
    const visionGraph = graphs.get('vision_encoder');
    if (host.imageEncoder !== undefined) {
      encoder = await host.imageEncoder({ ort, manifest, variant: choice.variant, hiddenSize: llm.hiddenSize });
    } else if (visionGraph !== undefined) {
      // parseManifest guarantees the vision section whenever there is a vision graph.
      const vision = manifest.vision!;
      checkVisionPreprocessing(vision, files.label);
      const visionSession = await openGraphSession(ort, files, visionGraph, {
        backend: choice.backend,
        ...(host.disableCpuFallback === undefined ? {} : { disableCpuFallback: host.disableCpuFallback }),
      });
      encoder = new OnnxImageEncoder(ort, visionSession, visionGraph, vision);
    }
    if (encoder !== null) part('vision_encoder');
    const loadFailure = await loading.end();
    if (loadFailure !== null) throw gpuFailureError(loadFailure);
    const ownedGpu = gpu;
    let guarded = kept?.encoder ?? null;
    if (guarded !== null && encoder !== null) guarded.replace(encoder, ownedGpu);
    else if (encoder !== null) guarded = new GuardedEncoder(encoder, ownedGpu);
    const imageRule = modelResizeRule(manifest);
    const images = kept?.images ?? new ImageFeatureCache(host.decodeImage, guarded, imageRule, llm.hiddenSize, counters, `${files.label} (${choice.variant})`);

    const info: LoadedModelInfo = {
      name: manifest.model.name,
      source: files.label,
      variant: choice.variant,
      backend: choice.backend,
      maxContext,
      prefillChunk,
      hasVisionEncoder: encoder !== null,
      imageRule,
      cacheKey: files.cacheKey ?? null,
      llm: { layers: llm.numLayers, hiddenSize: llm.hiddenSize, vocabSize: llm.vocabSize },
      decode,
      loadMs: performance.now() - started,
    };
    const ownedEncoder = encoder;
    const ownedCache = cache;
    const ownedStep = step;
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      ownedGpu.dispose();
      await ownedStep?.dispose();
      ownedCache.dispose();
      await ownedEncoder?.dispose();
      await Promise.all(sessions.map((session) => session.release()));
    };
    return {
      info,
      tokenizer,
      cache: new SequenceCache(model),
      images,
      confidenceIds: confidenceIds(tokenizer),
      eosTokenId: llm.eosTokenId,
      prefillChunk,
      gpu: ownedGpu,
      async rebuild() {
        // Every session on the old device must go first: onnxruntime opens a fresh device only when none is left.
        await release().catch(() => undefined);
        return openModel(ort, files, choice, host, options, counters, () => undefined, { images, encoder: guarded });
      },
      async dispose() {
        images.clear();
        await release();
      },
    };
  } catch (error) {
    gpu?.dispose();
    await step?.dispose();
    cache?.dispose();
    await encoder?.dispose();
    await Promise.all(sessions.map((session) => session.release()));
    throw error;
  }
}

/**
 * Whether decode steps are captured where the runtime hands out its device (onnxruntime-web on WebGPU): as asked
 * (`graphCapture`), else when the decoder's weights are small enough to hold twice on the GPU.
 */
async function captureDecision(files: BundleFiles, decoder: GraphSpec, host: EngineHost, options: LoadOptions): Promise<DecodeMode> {
  if (options.graphCapture === false) return { graphCapture: false, reason: 'turned off' };
  const refusal = await host.graphCaptureRefusal?.();
  if (refusal !== undefined) return { graphCapture: false, reason: refusal };
  if (options.graphCapture === true) return { graphCapture: true };
  const sizes = new Map(files.manifest.files.map((file) => [file.path, file.bytes]));
  const weightBytes = decoder.externalData.reduce((sum, path) => sum + (sizes.get(path) ?? 0), 0);
  if (weightBytes > CAPTURE_DEFAULT_MAX_WEIGHT_BYTES) {
    const gib = (weightBytes / 2 ** 30).toFixed(1);
    return { graphCapture: false, reason: `not asked for: a captured step holds a second copy of the decoder's ${gib} GiB of weights on the GPU (graphCapture: true turns it on)` };
  }
  return { graphCapture: true };
}

/** Why decode steps run one by one, not as a captured graph replayed, where the runtime keeps its device. */
async function captureRefusal(choice: ModelChoice, host: EngineHost, options: LoadOptions): Promise<string> {
  if (choice.backend !== 'webgpu') return 'the CPU backend runs no GPU commands to capture';
  if (options.graphCapture === false) return 'turned off';
  return (await host.graphCaptureRefusal?.()) ?? 'this runtime binds no GPU buffers as inputs and outputs, which capture needs';
}

/** KV cache capacity and prefill chunk, checked against the model before anything is released or opened. */
export function resolveLoadOptions(manifest: BundleManifest, options: LoadOptions): { maxContext: number; prefillChunk: number } {
  const limit = manifest.llm.maxPositionEmbeddings;
  const maxContext = checkedCount(options.maxContext ?? limit, 'maxContext', 2, limit);
  const prefillChunk = checkedCount(options.prefillChunk ?? Math.min(DEFAULT_PREFILL_CHUNK, maxContext), 'prefillChunk', 1, maxContext);
  return { maxContext, prefillChunk };
}

function required(graph: GraphSpec | undefined, role: string, choice: VariantChoice): GraphSpec {
  // parseManifest guarantees embed_tokens and decoder for every listed variant.
  if (graph === undefined) throw new AppError('MANIFEST_INVALID', `the bundle has no ${role} graph for ${choice.variant}`);
  return graph;
}

function checkedCount(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AppError('BAD_ARGUMENTS', `${name} is ${value}; expected an integer from ${min} to ${max}.`, { hint: `Leave ${name} unset to use the default.` });
  }
  return value;
}

/** `▁Image`, `▁A`, `▁B` as single tokens of this vocabulary (LLaMA: 7084, 319, 350), or null. */
function confidenceIds(tokenizer: TextTokenizer): ConfidenceIds | null {
  const single = (piece: string) => {
    const ids = tokenizer.encodePiece(piece);
    return ids.length === 1 ? ids[0]! : null;
  };
  const image = single('Image');
  const a = single('A');
  const b = single('B');
  return image === null || a === null || b === null ? null : { image, a, b };
}
