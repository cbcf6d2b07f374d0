/**
 * Requests, results and events of the engine's ranking: `compare` (one ordered pair, no free generation) and
 * `rank` (many candidates against one reference, pairs chosen by the ranking core). Plain, structured-cloneable
 * data, like every type of the engine boundary (api.ts).
 */
import type { SerializedError } from '../errors.ts';
import type { ComparisonConfidence } from '../generation/verdict.ts';
import type { RankingMode } from '../ranking/ranking.ts';
import type { RankingReport } from '../ranking/report.ts';
import type { EncodedImage, ImageRef } from './images.ts';

/**
 * The answer prefix every comparison is read after: DepictQA's brief comparison answer is exactly "Image A" or
 * "Image B", tokenized on its own as `▁Image ▁A`, so p(▁A), p(▁B) are read at the position after `▁Image`.
 */
export const COMPARISON_ANSWER_PREFIX = 'Image';

export interface CompareRequest {
  /** Optional: its presence picks DepictQA's full-reference comparison prompt. */
  reference?: ImageRef;
  /** Shown as Image A. */
  a: ImageRef;
  /** Shown as Image B. */
  b: ImageRef;
  /** Which of the brief comparison questions (`instant_rating_AB`, short-answer tail added); default 0. */
  questionIndex?: number;
  /** false: empty the KV cache first and prefill the whole prompt (a check on the reuse, and the bench's baseline). */
  reuse?: boolean;
}

/** What one comparison cost. */
export interface ComparisonWork {
  /** Positions of the prompt with the answer prefix: what a comparison from scratch prefills. */
  positions: number;
  /** Positions before Image A's rows (system text, reference rows, tags): the same for every pair of a ranking. */
  sharedPrefix: number;
  /** Positions found in the KV cache, not run again. */
  reusedPositions: number;
  /** Positions run through the decoder: `positions − reusedPositions`. */
  prefillTokens: number;
  /** Decoder runs (a prefill longer than the engine's prefill chunk takes several). */
  modelRuns: number;
  elapsedMs: number;
}

export interface CompareResult extends ComparisonConfidence {
  /** The question as inserted into the template. */
  question: string;
  images: { reference: EncodedImage | null; a: EncodedImage; b: EncodedImage };
  work: ComparisonWork;
}

export interface RankRequest {
  reference?: ImageRef;
  /** 2 to 64 images of the reference; a file given twice is encoded once. */
  candidates: ImageRef[];
  /** 'active' (default): ⌈N·log2 N⌉ pairs at most, stopping once the order is settled; 'allPairs': DepictQA's protocol. */
  mode?: RankingMode;
  /** Overrides the mode's pair budget. */
  maxPairs?: number;
  questionIndex?: number;
  /**
   * false: every comparison from an empty KV cache, its whole prompt prefilled (a check on the reuse, which keeps
   * the prompt up to the part after Image A when consecutive comparisons share A). Default true.
   */
  reuse?: boolean;
  /**
   * Ordered comparisons already made for these candidates (indices into `candidates`, e.g. saved before a reload):
   * they enter the ranking as if just asked, and the pairs they cover are not asked again.
   */
  prior?: PriorComparison[];
}

/** One ordered comparison made earlier: `first` was shown as Image A, `second` as Image B. */
export interface PriorComparison {
  first: number;
  second: number;
  pA: number;
  pB: number;
}

export interface RankStats {
  /** Distinct pairs compared (each in both orders). */
  pairs: number;
  /** Ordered comparisons run by this request: two per pair, less those given as `prior`. */
  comparisons: number;
  /** Ordered comparisons taken from the request's `prior`. */
  priorComparisons: number;
  /** Decoder runs. */
  modelRuns: number;
  /** Vision encoder runs: at most one per distinct image, none for one the engine already held. */
  visionRuns: number;
  /** Positions run through the decoder. */
  prefillTokens: number;
  /** Positions found in the KV cache: what running each comparison from scratch would have added. */
  prefillTokensSaved: number;
  /** The shared prefix's positions (`ComparisonWork.sharedPrefix`). */
  sharedPrefix: number;
  /** Image encoding included. */
  elapsedMs: number;
  /** Comparisons only. */
  comparisonMs: number;
}

export interface RankResult extends RankingReport {
  mode: RankingMode;
  question: string;
  reference: EncodedImage | null;
  /** In request order; `RankedImage.index` points here. */
  candidates: EncodedImage[];
  /** True when `cancel()` stopped it: the report covers the pairs compared so far. */
  cancelled: boolean;
  stats: RankStats;
}

export type RankEvent =
  /** `prior`: the comparisons taken from the request, already counted in the first `comparison` event's `done`. */
  | { type: 'start'; candidates: number; mode: RankingMode; maxPairs: number; prior: number }
  /** After each image is encoded (or found): `done` of `total`. */
  | { type: 'encoded'; done: number; total: number; image: EncodedImage }
  /** After each ordered comparison; `done` counts every ordered comparison so far, prior ones included. */
  | { type: 'comparison'; first: number; second: number; pA: number; pB: number; pairs: number; done: number; work: ComparisonWork }
  | { type: 'done'; result: RankResult }
  | { type: 'error'; error: SerializedError };
