/**
 * What crosses the engine boundary: requests, results and events of `EngineApi`. Plain, structured-cloneable
 * data (no functions, no class instances), so that the same types serve the worker (through Comlink), the
 * in-thread engine of the Node tools, and the stores.
 */
import type { LoadProgress } from '../bundle/bundleFiles.ts';
import type { LocalFile } from '../bundle/localFolder.ts';
import type { BundleVariant } from '../bundle/manifest.ts';
import type { Backend } from '../capabilities.ts';
import type { SerializedError } from '../errors.ts';
import type { DistortionName } from '../generation/distortion.ts';
import type { ResolvedSamplingOptions, LoopGuardOptions, SamplingOptions } from '../generation/settings.ts';
import type { StopReason } from '../generation/stopping.ts';
import type { ComparisonConfidence, Verdict } from '../generation/verdict.ts';
import type { DistortionForm } from '../prompt/assemblePrompt.ts';
import type { PromptKind } from '../prompt/prompts.ts';
import type { ImageSlotId, TaskId } from '../tasks.ts';

// ── Loading ──────────────────────────────────────────────────────────────────────────────────────────────

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
  /** The download cache's key when the bundle came from (or through) it: a reopen reads it there, downloading nothing. */
  cacheKey: string | null;
  llm: { layers: number; hiddenSize: number; vocabSize: number };
  loadMs: number;
}

// ── Images ───────────────────────────────────────────────────────────────────────────────────────────────

/** An image file's bytes as the user gave them (PNG, JPEG, WebP, GIF, BMP, AVIF). */
export interface ImageInput {
  name: string;
  bytes: Uint8Array;
  /**
   * `sha256Hex(bytes)` when the caller has it already (the page hashes a file once, when it is dropped); the
   * engine hashes the bytes only when it is missing.
   */
  id?: string;
}

/** An image of a request: its bytes (encoded in the same job when the engine lacks them), or the id of one it already has. */
export type ImageRef = ImageInput | string;

export interface EncodedImage {
  /** A hash of the file's bytes: the same file is encoded once per session. */
  id: string;
  name: string;
  width: number;
  height: number;
  /** The patch grid after DepictQA's resize and padding; rows = grid.height · grid.width without an Abstractor. */
  grid: { height: number; width: number };
  /** Embedding rows the image takes in the prompt. */
  rows: number;
  /** Decode + preprocessing + vision encoder time of the first encoding. */
  visionMs: number;
  /** True when the features came from this session's cache (nothing ran). */
  cached: boolean;
}

// ── Generation ───────────────────────────────────────────────────────────────────────────────────────────

/** Which question to ask: one of the task's built-in set by position, or the user's own text. Omitted: a random one of the set. */
export type QuestionChoice = { index: number; distortionForm?: DistortionForm } | { text: string };

export interface GenerateRequest {
  task: TaskId;
  /**
   * The images by slot: their bytes, or ids the engine already knows (from `encodeImage` or an earlier request).
   * The reference is optional; the task says which others it needs.
   */
  images: Partial<Record<ImageSlotId, ImageRef>>;
  question?: QuestionChoice;
  sampling?: SamplingOptions;
  /** Default 400. */
  maxNewTokens?: number;
  /** Stop repetition loops ("body body body…"); off by default, which is the faithful setting. */
  loopGuard?: boolean | LoopGuardOptions;
}

/** The prompt as the model sees it: token ids of text chunks and the places of image rows, in order. */
export type PromptSegmentInfo = { ids: number[] } | { image: ImageSlotId; rows: number };

export interface PromptInfo {
  task: TaskId;
  kind: PromptKind;
  hasReference: boolean;
  /** The question as inserted into the template (short-answer tail included where the task has one). */
  question: string;
  /** Its position in the task's built-in set; null for the user's own text. */
  questionIndex: number | null;
  segments: PromptSegmentInfo[];
  /** Positions the prompt takes: text tokens + image rows. */
  positions: number;
}

export interface AnswerConfidence extends ComparisonConfidence {
  /**
   * 'answer': read where the answer itself put `▁Image` and the next token came; 'probe': the answer did not
   * start that way, so `▁Image` was fed after the prompt and the next-token distribution read there.
   */
  source: 'answer' | 'probe';
}

export interface GenerationStats {
  /** From the call to the first generated token (prefill included, image encoding not). */
  timeToFirstTokenMs: number;
  /** Positions actually run in the prefill (the rest came from the KV cache). */
  prefillTokens: number;
  /** Positions of the prompt found already in the KV cache. */
  reusedPositions: number;
  prefillMs: number;
  prefillTokensPerSecond: number;
  decodeMs: number;
  /** Tokens after the first, per second of decoding. */
  decodeTokensPerSecond: number;
  tokensGenerated: number;
  /** Vision encoder time per image slot, as measured when each image was encoded. */
  visionMs: Partial<Record<ImageSlotId, number>>;
  visionMsPerImage: number;
  totalMs: number;
}

export interface GenerateResult {
  prompt: PromptInfo;
  /** The answer with the trained "\n </s>" tail removed. */
  text: string;
  /** The decoded answer as generated. */
  rawText: string;
  /** Generated token ids, `</s>` included when the answer ended with it. */
  ids: number[];
  stopReason: StopReason;
  /** Comparison and reasoning: which image the answer prefers; null when unreadable or another task. */
  verdict: Verdict | null;
  /** Distortion identification: the distortion named, 'None', or null when unreadable or another task. */
  distortion: DistortionName | 'None' | null;
  /** Comparison only: p(▁A) and p(▁B) after `▁Image`. */
  confidence: AnswerConfidence | null;
  sampling: ResolvedSamplingOptions;
  stats: GenerationStats;
  /** The images the prompt showed, by slot, as the engine now holds them (a later request may name them by id). */
  images: Partial<Record<ImageSlotId, EncodedImage>>;
}

export type GenerateEvent =
  | { type: 'start'; prompt: PromptInfo; sampling: ResolvedSamplingOptions; maxNewTokens: number }
  /** After each prefill run: positions of the prompt run so far, of `total` to run (the rest came from the cache). */
  | { type: 'prefill'; done: number; total: number }
  /** New answer text since the last event (never half a character) and the ids that produced it. */
  | { type: 'tokens'; text: string; ids: number[] }
  | { type: 'done'; result: GenerateResult }
  | { type: 'error'; error: SerializedError };

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
