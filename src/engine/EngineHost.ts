import type { BundleFiles, LoadProgress } from '../core/bundle/bundleFiles.ts';
import type { BundleManifest, BundleVariant } from '../core/bundle/manifest.ts';
import type { Capabilities } from '../core/capabilities.ts';
import type { EmbedderSource } from '../core/engine/embedder.ts';
import type { PromptInfo } from '../core/engine/generate.ts';
import type { BundleSource } from '../core/engine/load.ts';
import type { Sampler } from '../core/generation/sampler.ts';
import type { SamplingOptions } from '../core/generation/settings.ts';
import type { SentenceEmbedder } from './embedder/sentenceEmbedder.ts';
import type { ProbeScope } from './probeCapabilities.ts';
import type { Ort } from './runtime/graphSession.ts';
import type { ImageEncoder } from './vision/ImageEncoder.ts';
import type { ImageDecoder } from './vision/ImageFeatureCache.ts';

export interface OpenBundleOptions {
  onProgress: (progress: LoadProgress) => void;
  selectFiles: (manifest: BundleManifest) => readonly string[];
}

export interface OpenEmbedderOptions {
  capabilities: Capabilities;
  onProgress: (progress: LoadProgress) => void;
}

/** A sentence embedder as a host opened it, and what the page is told of it. */
export interface OpenedEmbedder {
  embedder: SentenceEmbedder;
  /** Where it came from, for messages: the URL prefix, a folder's name or path. */
  source: string;
  bytes: number;
  cacheKey: string | null;
}

/** What the vision graph of a bundle is replaced by, when a host replaces it. */
export interface ImageEncoderContext {
  ort: Ort;
  manifest: BundleManifest;
  variant: BundleVariant;
  hiddenSize: number;
}

/**
 * What the engine needs from where it runs: the browser worker and the Node tools differ only here
 * (how onnxruntime-web is started, how bundles are read, how images are decoded).
 */
export interface EngineHost {
  /** onnxruntime-web, set up for this environment (wasm binary, thread count). */
  runtime(capabilities: Capabilities): Promise<Ort>;
  /**
   * Opens a bundle: validated manifest and verified file access, with progress. `selectFiles` names the files
   * the engine will read once the manifest is known (one variant's), so a loader that downloads fetches only those.
   */
  openBundle(source: BundleSource, options: OpenBundleOptions): Promise<BundleFiles>;
  /** Image file bytes → RGB as PIL's convert("RGB"). */
  decodeImage: ImageDecoder;
  /** The scope the capability probe reads; default globalThis. */
  probeScope?: ProbeScope;
  /** Replaces the bundle's vision graph (tests, and bundles converted without one). */
  imageEncoder?: (context: ImageEncoderContext) => Promise<ImageEncoder>;
  /** WebGPU: fail rather than run unsupported nodes on the CPU (tests use it to prove a pass ran on the GPU). */
  disableCpuFallback?: boolean;
  /** WebGPU: why decode steps are not captured and replayed on this runtime (onnxruntime's graph capture), for the record. */
  graphCaptureRefusal?: () => Promise<string>;
  /** Token events at most once per this many ms; default 16 (one frame), 0 sends every token. */
  tokenIntervalMs?: number;
  /** Draws the random question; default Math.random. */
  random?: () => number;
  /**
   * Opens the sentence embedder of the detailed-answer confidence, on the runtime set up for `capabilities`, with
   * download progress; a host without it cannot load one.
   */
  openEmbedder?: (source: EmbedderSource, options: OpenEmbedderOptions) => Promise<OpenedEmbedder>;
  /**
   * Replaces the token sampler of each answer (tests force an answer's tokens with it, e.g. "Image A"); by default
   * the engine samples with the request's settings.
   */
  sampler?: (sampling: SamplingOptions | undefined, prompt: PromptInfo) => Sampler | undefined;
}
