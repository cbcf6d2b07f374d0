/**
 * Types of DepictQA's answer confidence (upstream `src/model/utils/confidence.py`). Which rule applies
 * depends on the task family and on the answer's length; see `answerKind.ts`.
 */

/** Single-image tasks (Description, Distortion identification) or two-image tasks (Comparison, Reasoning). */
export type TaskFamily = 'single' | 'compare';

export type ConfidenceKind = 'single-brief' | 'compare-brief' | 'detail';

/**
 * The answer's generated tokens, one probability per token: the softmax probability of that token at the step
 * that produced it. `ids` are the generated tokens only (no prompt, no start token) and include the final
 * `</s>` (id 2) when generation stopped on it: the brief rule looks for the trailing "\n </s>" (13, 29871, 2).
 */
export interface GeneratedTokens {
  ids: readonly number[];
  probabilities: readonly number[];
}

/** One token that a confidence was computed from. */
export interface ConfidenceToken {
  /** Index into the generated tokens. */
  position: number;
  id: number;
  /** The token decoded alone, when a decoder was given ('' otherwise). */
  text: string;
  /** Its share of the confidence: the weights of a result sum to 1. */
  weight: number;
  probability: number;
}

export interface BriefConfidence {
  kind: 'single-brief';
  /** Mean probability of the answer's tokens (upstream's value). */
  value: number;
  tokens: ConfidenceToken[];
}

export interface CompareBriefConfidence {
  kind: 'compare-brief';
  /** Probability of the letter that follows the first `▁Image` (upstream's value: p of the chosen letter). */
  value: number;
  verdict: 'A' | 'B';
  /** Position of `▁Image` in the generated tokens; the letter is at `position + 1`. */
  position: number;
  tokens: ConfidenceToken[];
  /**
   * p(A) / (p(A) + p(B)) at the letter's step: the preference for A once every token other than `▁A` and `▁B`
   * is set aside. Present only when both letters' probabilities at that step were given.
   */
  normalizedRatioA?: number;
  pA?: number;
  pB?: number;
}

export interface DetailConfidence {
  kind: 'detail';
  /** Importance-weighted mean probability of the most important tokens (upstream's value). */
  value: number;
  /** The tokens used (at most 30), most important first; `weight` is the normalised importance. */
  tokens: Array<ConfidenceToken & { importance: number }>;
}

export type AnswerConfidence = BriefConfidence | CompareBriefConfidence | DetailConfidence;
