/**
 * The engine boundary: `EngineApi`, what the page's worker and the Node host both offer, and the types of its
 * calls, one file per topic (load, images, generate, confidence, embedder, rank, localize). What crosses it is plain,
 * structured-cloneable data (no functions, no class instances), so that the same types serve the worker (through
 * Comlink), the in-thread engine of the Node host, and the stores.
 */
import type { BundleManifest, BundleVariant } from '../bundle/manifest.ts';
import type { Capabilities } from '../capabilities.ts';
import type { ConfidenceReport } from './confidence.ts';
import type { CachedEmbedder, EmbedderInfo, EmbedderLoadEvent, EmbedderSource } from './embedder.ts';
import type { FinishedAnswerTokens, GenerateEvent, GenerateRequest, GenerateResult } from './generate.ts';
import type { EncodedImage, ImageInput } from './images.ts';
import type { BundleSource, LoadedModelInfo, LoadEvent, LoadOptions } from './load.ts';
import type { LocalizeEvent, LocalizeRecord, LocalizeRequest } from './localize.ts';
import type { CompareRequest, CompareResult, RankEvent, RankRequest, RankResult } from './rank.ts';

/** Work done since load, for tests and diagnostics. */
export interface EngineCounters {
  visionRuns: number;
  embedRuns: number;
  decoderRuns: number;
  /** Positions run through the decoder as prompt (prefill), over all requests. */
  prefillTokens: number;
  decodeSteps: number;
  /** Positions held in the KV cache now. */
  cachedPositions: number;
}

/**
 * The engine as the UI sees it. `workers/engine.worker.ts` exposes an implementation through Comlink;
 * Node tools and tests use the same implementation in-thread. Every method rejects with an `AppError`
 * (code, message, hint), and the engine stays usable afterwards.
 *
 * GPU failures (a lost device, out of memory, an error in a WebGPU error scope) reject the running call with
 * GPU_DEVICE_LOST, GPU_OUT_OF_MEMORY or GPU_ERROR; nothing computed after the failure is shown. The next
 * `generate` or `encodeImage` first rebuilds the sessions and the KV cache from the bundle files already
 * loaded (no download); encoded images stay valid (their rows are CPU copies).
 */
export interface EngineApi {
  /** Probes WebGPU and the CPU fallback once; later calls return the same answer. */
  capabilities(): Promise<Capabilities>;

  /**
   * Validates and loads a bundle: tokenizer, embed_tokens (CPU), decoder and vision encoder (WebGPU or wasm),
   * and the KV cache, allocated once. A running answer is cancelled; the loaded model stays until the new bundle's
   * manifest and files have opened, then is released. Progress and parts ready arrive as events.
   */
  load(source: BundleSource, onEvent?: (event: LoadEvent) => void, options?: LoadOptions): Promise<LoadedModelInfo>;

  /**
   * Decodes, preprocesses and encodes one image ahead of a request (tools that ask many questions about a set);
   * features are kept under the image's SHA-256 until the model is unloaded or replaced. Model work runs one job
   * at a time: during an answer this waits for it to end.
   */
  encodeImage(image: ImageInput): Promise<EncodedImage>;

  /**
   * Answers one question in one job: the request carries the images (bytes, decoded and encoded here when the
   * engine lacks them, or ids it already holds). Events, in order on the one `onEvent` channel: `start`, batched
   * `tokens`, then `done` (also the resolved value) or `error` (also the rejection); a caller across a worker
   * boundary can settle on `done`/`error` alone. A second call while one runs is refused with ENGINE_BUSY.
   * A cancelled answer ends normally with stopReason 'cancelled'.
   */
  generate(request: GenerateRequest, onEvent?: (event: GenerateEvent) => void): Promise<GenerateResult>;

  /**
   * One ordered comparison without free generation: DepictQA's brief comparison prompt, `▁Image` as the start of
   * the answer, and p(▁A), p(▁B) read after it. The prompt's prefix already in the KV cache (the system text and
   * the reference, after an earlier comparison of the same reference) is not run again. Refused with ENGINE_BUSY
   * while an answer or a ranking runs.
   */
  compare(request: CompareRequest): Promise<CompareResult>;

  /**
   * Ranks 2 to 64 candidates against one (optional) reference in one job: each image encoded once, pairs chosen by
   * the ranking core (active by default, or every pair), each asked in both orders through `compare`'s path.
   * Events in order: `start`, `encoded` per image, `comparison` per ordered pair, then `done` or `error`.
   * `cancel()` stops it between comparisons; it then resolves with what was compared (`cancelled: true`).
   */
  rank(request: RankRequest, onEvent?: (event: RankEvent) => void): Promise<RankResult>;

  /**
   * A local quality map in one job: the images decoded once, aligned crops on a grid, tiles skipped where the SSIM
   * maps show no difference, each crop encoded once (by a hash of its pixels), and each asked tile's brief
   * comparison in both orders (with B) or its distortion (A alone). Events: `tile` per tile, then `done` or `error`.
   * `cancel()` stops it between tiles; it then resolves with the tiles done (`cancelled: true`).
   */
  localize(request: LocalizeRequest, onEvent?: (event: LocalizeEvent) => void): Promise<LocalizeRecord>;

  /**
   * Loads the sentence embedder that DepictQA's detailed-answer confidence needs (all-MiniLM-L6-v2 in
   * transformers.js layout, from a URL prefix, a folder or the cache the user chose; never fetched from a hub). A URL
   * is downloaded into the cache with progress events, and opened from there once complete (no request at all).
   * Until it is loaded, a detailed answer's confidence is `{ kind: 'detail', value: null, reason: 'needs the
   * sentence model' }`. It replaces one loaded before and stays until `unload`.
   */
  loadEmbedder(source: EmbedderSource, onEvent?: (event: EmbedderLoadEvent) => void): Promise<EmbedderInfo>;

  /**
   * The detailed-answer confidence of a finished answer from its tokens, with the loaded model's tokenizer and the
   * sentence embedder (the answer is not generated again). Refused with MODEL_LOAD_FAILED without the embedder.
   */
  detailConfidence(answer: FinishedAnswerTokens): Promise<ConfidenceReport>;

  /** Sentence embedders in the download cache, most recently used first. */
  cachedEmbedders(): Promise<CachedEmbedder[]>;

  /** Removes one cached sentence embedder; a loaded one stays loaded. */
  deleteCachedEmbedder(key: string): Promise<void>;

  /** Stops the running answer or ranking within one model step; does nothing when none runs. */
  cancel(): Promise<void>;

  /**
   * Frees the sessions, the KV cache's GPU buffers, the image features and the sentence embedder; onnxruntime's
   * device goes with the last session.
   */
  unload(): Promise<void>;

  counters(): Promise<EngineCounters>;

  /** Bundles in the download cache, most recently used first. */
  cachedBundles(): Promise<CachedBundle[]>;

  /** Removes one cached bundle, after any load of it ends; a model loaded from it stays loaded. */
  deleteCachedBundle(key: string): Promise<void>;

  /** Removes every cached bundle. */
  clearBundleCache(): Promise<void>;
}

/** One bundle in the download cache; open it with `load({ kind: 'cache', key })`. */
export interface CachedBundle {
  key: string;
  manifest: BundleManifest;
  /** URL prefixes it was downloaded from, latest first. */
  sources: string[];
  /** Bytes on disk, partial downloads included. */
  bytesStored: number;
  /** Bytes of every file the manifest lists. */
  bytesTotal: number;
  verifiedFiles: string[];
  /** Variants that load from the cache alone. */
  completeVariants: BundleVariant[];
  /** ISO date of the last load. */
  lastUsedAt: string;
}

/** Every method of EngineApi, for the worker's face (a method missing here fails to compile there). */
export const ENGINE_METHODS = [
  'capabilities',
  'load',
  'encodeImage',
  'generate',
  'compare',
  'rank',
  'localize',
  'loadEmbedder',
  'detailConfidence',
  'cachedEmbedders',
  'deleteCachedEmbedder',
  'cancel',
  'unload',
  'counters',
  'cachedBundles',
  'deleteCachedBundle',
  'clearBundleCache',
] as const satisfies ReadonlyArray<keyof EngineApi>;

/**
 * EngineApi as the engine worker exposes it to the page: a streamed job (`generate`, `rank`, `localize`) takes its event
 * channel and resolves empty, so that its result crosses the worker boundary once, in the `done` event.
 */
export type EngineWorkerApi = Omit<EngineApi, 'generate' | 'rank' | 'localize'> & {
  generate(request: GenerateRequest, onEvent: (event: GenerateEvent) => void): Promise<void>;
  rank(request: RankRequest, onEvent: (event: RankEvent) => void): Promise<void>;
  localize(request: LocalizeRequest, onEvent: (event: LocalizeEvent) => void): Promise<void>;
};
