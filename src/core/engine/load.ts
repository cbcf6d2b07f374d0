/**
 * Loading a bundle across the engine boundary: where it comes from, the options, the events and what loaded.
 * Plain, structured-cloneable data, as every type of the engine boundary (api.ts).
 */
import type { LoadProgress } from '../bundle/bundleFiles.ts';
import type { LocalFile } from '../bundle/localFolder.ts';
import type { BundleVariant } from '../bundle/manifest.ts';
import type { Backend } from '../capabilities.ts';
import type { ResizeRule } from '../vision/resizeRule.ts';

/**
 * Where a bundle comes from: what the browser's loader reads (`src/engine/bundle`: a URL prefix, a picked or
 * dropped folder, the cache), and, for the Node tools only, a folder path. Structured-cloneable.
 */
export type BundleSource =
  /** A folder on a web server: `${url}/manifest.json`, then each file (e.g. a Hugging Face `resolve/main/` URL). */
  | { kind: 'url'; url: string }
  /** A folder picked with the File System Access API, or a dropped item's handle. */
  | { kind: 'directory'; handle: FileSystemDirectoryHandle }
  /** A folder from `<input webkitdirectory>` (paths from `webkitRelativePath`) or a drop (paths given). */
  | { kind: 'files'; files: ReadonlyArray<File | LocalFile> }
  /** A bundle already downloaded, by the key `listCachedBundles` reports. */
  | { kind: 'cache'; key: string }
  /** A folder on disk: the Node tools only. */
  | { kind: 'path'; path: string };

/** The sources the browser's loader reads: all but a folder path. */
export type BrowserBundleSource = Exclude<BundleSource, { kind: 'path' }>;

export interface LoadOptions {
  /** Force a precision variant; by default the capabilities pick it (q4f16 with shader-f16, else q4, else fp32). */
  variant?: BundleVariant;
  /** Force the CPU (wasm) backend even when WebGPU is available. */
  backend?: Backend;
  /** KV cache capacity in positions, allocated once; default and maximum: the model's maxPositionEmbeddings. */
  maxContext?: number;
  /** Longest prefill run in positions (longer prompts are prefilled in chunks); default DEFAULT_PREFILL_CHUNK. */
  prefillChunk?: number;
  /**
   * Capture the decode step once and replay it (onnxruntime's graph capture, WebGPU in the browser): true forces
   * it, false (`--no-graph-capture`) turns it off; by default it is on where the runtime can capture and the
   * decoder's weights are at most CAPTURE_DEFAULT_MAX_WEIGHT_BYTES (the captured session holds a second copy).
   */
  graphCapture?: boolean;
}

/** The engine's longest prefill run on real GPUs, in positions; prefill activations scale with it. */
export const DEFAULT_PREFILL_CHUNK = 512;

export type GraphRole = 'tokenizer' | 'embed_tokens' | 'decoder' | 'vision_encoder';

export type LoadEvent =
  | { type: 'progress'; progress: LoadProgress }
  /** One part of the model is ready to run. */
  | { type: 'part'; part: GraphRole; elapsedMs: number }
  | { type: 'ready'; model: LoadedModelInfo };

export interface LoadedModelInfo {
  name: string;
  /** Where it was loaded from (a URL prefix, a folder), for messages. */
  source: string;
  variant: BundleVariant;
  /** Where the decoder and the vision encoder run; embed_tokens always runs on the CPU. */
  backend: Backend;
  /** KV cache capacity in positions. */
  maxContext: number;
  /** Longest decoder run of a prefill, in positions. */
  prefillChunk: number;
  /** Whether the bundle has a vision encoder of this variant (encodeImage needs it). */
  hasVisionEncoder: boolean;
  /** How the model resizes and pads an image (its manifest's; DepictQA-Wild's 224 / 672 for most models). */
  imageRule: ResizeRule;
  /** The download cache's key when the bundle came from (or through) it: a reopen reads it there, downloading nothing. */
  cacheKey: string | null;
  llm: { layers: number; hiddenSize: number; vocabSize: number };
  /** How decode steps run: one by one, and why not as a captured graph replayed (onnxruntime's graph capture). */
  decode: DecodeMode;
  loadMs: number;
}

export type DecodeMode = { graphCapture: true } | { graphCapture: false; reason: string };

/**
 * The largest decoder (its weight files' bytes) whose decode step is captured without being asked: the captured
 * step is a second session of the decoder, so its weights are held twice on the GPU. 1 GiB covers the test and
 * small models; a 7B model (3.8 GB in q4f16) captures only with `graphCapture: true`.
 */
export const CAPTURE_DEFAULT_MAX_WEIGHT_BYTES = 2 ** 30;
