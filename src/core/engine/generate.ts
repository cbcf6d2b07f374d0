/**
 * One answer across the engine boundary: the request, its events and its result.
 * Plain, structured-cloneable data, as every type of the engine boundary (api.ts).
 */
import type { ComparisonVerdict, ConfidenceReport } from './confidence.ts';
import type { EncodedImage, ImageRef } from './images.ts';
import type { SerializedError } from '../errors.ts';
import type { DistortionName } from '../generation/distortion.ts';
import type { LoopGuardOptions, ResolvedSamplingOptions, SamplingOptions } from '../generation/settings.ts';
import type { StopReason } from '../generation/stopping.ts';
import type { Verdict } from '../generation/verdict.ts';
import type { DistortionForm } from '../prompt/assemblePrompt.ts';
import type { PromptKind } from '../prompt/prompts.ts';
import type { ImageSlotId, TaskId } from '../tasks.ts';

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
  /** After each prefill run: positions of the prompt run so far, of `total` to run (the rest came from the cache); the page shows it until the first words. */
  | { type: 'prefill'; done: number; total: number }
  /** New answer text since the last event (never half a character) and the ids that produced it. */
  | { type: 'tokens'; text: string; ids: number[] }
  | { type: 'done'; result: GenerateResult }
  | { type: 'error'; error: SerializedError };
