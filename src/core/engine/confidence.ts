/**
 * DepictQA's confidence of an answer, as the engine reports it beside the answer.
 * Plain, structured-cloneable data, as every type of the engine boundary (api.ts).
 */
import type { ConfidenceToken, DetailConfidence } from '../confidence/types.ts';
import type { ComparisonConfidence, Verdict } from '../generation/verdict.ts';

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
