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
import type { ConfidenceToken, DetailConfidence } from '../confidence/types.ts';
import type { ComparisonConfidence, Verdict } from '../generation/verdict.ts';
import type { DistortionForm } from '../prompt/assemblePrompt.ts';
import type { PromptKind } from '../prompt/prompts.ts';
import type { ImageSlotId, TaskId } from '../tasks.ts';
import type { ResizeRule } from '../vision/resizeRule.ts';

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
  /** false: never capture and replay the decode step (`--no-graph-capture`); no runtime is captured yet, see `DecodeMode`. */
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

export interface DecodeMode {
  graphCapture: false;
  reason: string;
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

/**
 * Which question to ask: one of the task's built-in set by position, the user's own text, or one picked from the
 * set: by the images (a hash of their SHA-256 and the task, so the same inputs always get the same question) or
 * at random, as DepictQA's training data was drawn. Omitted: by the images.
 */
export type QuestionChoice = { index: number; distortionForm?: DistortionForm } | { text: string } | { pick: QuestionDraw };

/** How a question of the set is picked when none is named. */
export type QuestionDraw = 'images' | 'random';

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
  /**
   * DepictQA's confidence of the answer (default true). A brief answer to a question without the short-answer
   * tail costs a second, shorter answer (the question asked again with the tail, on the cached image rows); a
   * detailed one costs one sentence-embedder call when an embedder is loaded. false skips both.
   */
  confidence?: boolean;
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

/**
 * The page's summary of a `ComparisonVerdict` as the run store and the history keep it: the letters'
 * probabilities, `confidenceA` being the normalised ratio p(▁A) / (p(▁A) + p(▁B)).
 */
export interface AnswerConfidence extends ComparisonConfidence {
  source: 'answer' | 'probe';
}

/**
 * Which image a Comparison or Reasoning answer prefers, and how the model leans between the letters: one record
 * for both tasks, so that ranking and history read them alike.
 */
export interface ComparisonVerdict {
  /**
   * The image the answer prefers, read from its text: the brief "Image A", or a paragraph's concluding judgement
   * (`parseComparison`); null when the text states none clearly.
   */
  verdict: Verdict | null;
  /**
   * 'answer': read at the step after the answer's first `▁Image` that it followed with `▁A` or `▁B`;
   * 'probe': the answer has no such pair, so `▁Image` was fed after the prompt and the next step read.
   */
  source: 'answer' | 'probe';
  /** Position of that `▁Image` in `ids` ('answer'); null for a probe. */
  position: number | null;
  /** The letter the answer wrote there ('answer'), or the likelier of the two (probe; A on a tie). */
  letter: Verdict;
  /** Softmax probability of `▁A` (319) at that step, over the whole vocabulary. */
  pA: number;
  /** Softmax probability of `▁B` (350) there. */
  pB: number;
  /** Ours: p(▁A) / (p(▁A) + p(▁B)), the preference for A once every other token is set aside. */
  normalizedRatioA: number;
  /** Upstream's brief-comparison value: the raw probability of `letter` there (pA or pB). */
  letterProbability: number;
}

/** Where a confidence value was read: this answer, a probe after the prompt, or the answer to the question asked again. */
export type ConfidenceSource = 'answer' | 'probe' | 're-ask';

/** The answer to the question asked again with the short-answer tail, which a brief confidence was read from. */
export interface ReaskedAnswer {
  question: string;
  /** The decoded answer as generated. */
  rawText: string;
  ids: number[];
  probabilities: number[];
}

interface ConfidenceCommon {
  /** DepictQA's confidence in [0, 1]; null when it cannot be computed (`reason` says why). */
  value: number | null;
  source: ConfidenceSource;
  reason?: string;
  /** Present when the question was asked again with the short-answer tail (`source` 're-ask', or 'probe' after one). */
  reask?: ReaskedAnswer;
}

/** Mean probability of a brief single-image answer's tokens. */
export interface SingleBriefReport extends ConfidenceCommon {
  kind: 'single-brief';
  tokens: ConfidenceToken[];
}

/** Upstream's value is the raw probability of the letter after the first `▁Image`; our normalised ratio sits beside it. */
export interface CompareBriefReport extends ConfidenceCommon {
  kind: 'compare-brief';
  tokens: ConfidenceToken[];
  /** The letters where the value was read: both probabilities, the ratio, and the letter. */
  letters: ComparisonVerdict | null;
}

/** Importance-weighted mean probability of the 30 tokens whose deletion moves the sentence embedding most. */
export interface DetailReport extends ConfidenceCommon {
  kind: 'detail';
  tokens: DetailConfidence['tokens'];
}

/** DepictQA's confidence of an answer (upstream `cal_confidence`), for all four tasks. */
export type ConfidenceReport = SingleBriefReport | CompareBriefReport | DetailReport;

/** Why a detailed answer has no confidence without the sentence embedder. */
export const NEEDS_SENTENCE_MODEL = 'needs the sentence model';

// ── Sentence embedder (detailed-answer confidence) ─────────────────────────────────────────────────────────

/**
 * Where the sentence embedder comes from: a folder prefix on a web server (downloaded into the cache), a picked or
 * dropped folder (read in place), a copy in the cache, or (Node tools only) a folder path.
 */
export type EmbedderSource =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: ReadonlyArray<LocalFile> }
  | { kind: 'cache'; key: string }
  | { kind: 'path'; path: string };

export interface EmbedderInfo {
  /** Where it was loaded from, for messages: the URL prefix, the folder's name or path. */
  source: string;
  /** Bytes of its files. */
  bytes: number;
  /** The cache's key when it was read from (or downloaded into) the cache; null for a folder. */
  cacheKey: string | null;
  loadMs: number;
}

/** Download (or read) progress of the sentence embedder's files, as a bundle's. */
export type EmbedderLoadEvent = { type: 'progress'; progress: LoadProgress };

/** One sentence embedder in the cache; open it with `loadEmbedder({ kind: 'cache', key })`. */
export interface CachedEmbedder {
  key: string;
  /** The URL prefix it was downloaded from. */
  url: string;
  /** Bytes on disk, a partial download included. */
  bytesStored: number;
  /** Whether every file is stored whole (only then does it load from the cache). */
  complete: boolean;
  /** ISO date of the last load. */
  lastUsedAt: string;
}

/** A finished answer's tokens: what a confidence computed after the answer (once the sentence model is loaded) reads. */
export interface FinishedAnswerTokens {
  /** The decoded answer as generated. */
  rawText: string;
  ids: number[];
  probabilities: number[];
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
  /**
   * Each generated token's probability at the step that produced it: the softmax of that step's processed logits
   * (after the repetition penalty, the n-gram block and, when sampling, temperature, top-k and top-p), as
   * DepictQA reads `generate()`'s scores. Greedy: the largest probability of the step.
   */
  probabilities: number[];
  stopReason: StopReason;
  /** Comparison and reasoning: which image the answer prefers; null when unreadable or another task. */
  verdict: Verdict | null;
  /** Distortion identification: the distortion named, 'None', or null when unreadable or another task. */
  distortion: DistortionName | 'None' | null;
  /** Comparison and Reasoning: the verdict and the letters' probabilities; null for the other tasks, or when the vocabulary lacks the tokens. */
  comparison: ComparisonVerdict | null;
  /** DepictQA's confidence of the answer; null when not asked for, or when the answer was cancelled. */
  confidence: ConfidenceReport | null;
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
