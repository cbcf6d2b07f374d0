import { AppError } from '../errors.ts';
import { comparisonConfidence, firstImageMention } from '../generation/verdict.ts';
import type { BriefConfidence, CompareBriefConfidence, ConfidenceToken, GeneratedTokens } from './types.ts';

/**
 * DepictQA's confidence of brief answers (upstream `_cal_confidence_single_brief` and
 * `_cal_confidence_compare_brief`), on the generated tokens and their probabilities.
 * Upstream's token list begins with a start token that it drops first; `GeneratedTokens` has none.
 */

/** "\n", "▁", "</s>": how the model was trained to end an answer. */
export const ANSWER_END_IDS: readonly number[] = [13, 29871, 2];
/** "▁and": left out of a brief answer's mean ("blur and noise" is scored on its two names). */
export const AND_TOKEN_ID = 322;
/** Upstream pads finished sequences of a batch with id 0. */
const PAD_ID = 0;

/**
 * The tokens with trailing padding cut, as upstream does before every rule: from the first id 0, which must be
 * followed by nothing but 0s (upstream asserts it; null here, where upstream's brief rules give None).
 */
export function withoutPadding(tokens: GeneratedTokens): { ids: number[]; probabilities: number[] } | null {
  const { ids, probabilities } = tokens;
  if (ids.length !== probabilities.length) {
    throw new AppError('INTERNAL', `confidence: ${ids.length} token ids but ${probabilities.length} probabilities`);
  }
  const pad = ids.indexOf(PAD_ID);
  if (pad < 0) return { ids: [...ids], probabilities: [...probabilities] };
  if (ids.slice(pad).some((id) => id !== PAD_ID)) return null;
  return { ids: ids.slice(0, pad), probabilities: probabilities.slice(0, pad) };
}

const describe = (position: number, id: number, probability: number, weight: number, decode?: (id: number) => string): ConfidenceToken => ({
  position,
  id,
  text: decode ? decode(id) : '',
  weight,
  probability,
});

/**
 * Mean probability of a brief single-image answer's tokens: everything before the first "\n ▁ </s>" run (all of
 * it when there is none), less the first "▁and". Null when nothing is left (upstream divides by zero and reports
 * None).
 */
export function singleBriefConfidence(tokens: GeneratedTokens, decode?: (id: number) => string): BriefConfidence | null {
  const trimmed = withoutPadding(tokens);
  if (trimmed === null) return null;
  let end = 0;
  while (end < trimmed.ids.length && !startsWith(trimmed.ids, end, ANSWER_END_IDS)) end++;
  const kept = Array.from({ length: end }, (_, position) => position);
  const and = kept.findIndex((position) => trimmed.ids[position] === AND_TOKEN_ID);
  if (and >= 0) kept.splice(and, 1);
  if (kept.length === 0) return null;
  const sum = kept.reduce((total, position) => total + trimmed.probabilities[position]!, 0);
  return {
    kind: 'single-brief',
    value: sum / kept.length,
    tokens: kept.map((position) => describe(position, trimmed.ids[position]!, trimmed.probabilities[position]!, 1 / kept.length, decode)),
  };
}

/** Both letters' probabilities at one step of generation, for the normalised ratio. */
export interface LetterProbabilities {
  pA: number;
  pB: number;
}

/**
 * The probability of the letter after the first `▁Image` (`▁A` or `▁B`) of a brief comparison. With
 * `letterProbabilities(step)`, the probabilities of both letters at that step, the result also carries
 * p(A) / (p(A) + p(B)). Null when no `▁Image ▁A` / `▁Image ▁B` pair was generated (upstream's loop never ends
 * then).
 */
export function compareBriefConfidence(
  tokens: GeneratedTokens,
  letterProbabilities?: (step: number) => LetterProbabilities | null,
  decode?: (id: number) => string,
): CompareBriefConfidence | null {
  const trimmed = withoutPadding(tokens);
  if (trimmed === null) return null;
  const mention = firstImageMention(trimmed.ids);
  if (mention === null) return null;
  const letter = mention.position + 1;
  const value = trimmed.probabilities[letter]!;
  const result: CompareBriefConfidence = {
    kind: 'compare-brief',
    value,
    verdict: mention.verdict,
    position: mention.position,
    tokens: [describe(letter, trimmed.ids[letter]!, value, 1, decode)],
  };
  const letters = letterProbabilities?.(letter);
  if (letters) {
    const ratio = comparisonConfidence(letters.pA, letters.pB);
    Object.assign(result, { normalizedRatioA: ratio.confidenceA, pA: letters.pA, pB: letters.pB });
  }
  return result;
}

function startsWith(ids: readonly number[], at: number, pattern: readonly number[]): boolean {
  return pattern.every((id, k) => ids[at + k] === id);
}
