import { AppError } from '../errors.ts';
import { comparisonConfidence } from '../generation/verdict.ts';
import { sigmoid } from './logistic.ts';

/**
 * One answer of the model to "which of these two distorted images is better?" for one order of the pair:
 * the image at index `first` is shown as Image A, `second` as Image B. The raw probabilities are kept
 * (not only the verdict) so that the ranking can weigh a hesitant answer less than a sure one.
 */
export interface ComparisonRecord {
  /** Index of the image shown as Image A, in [0, n). */
  first: number;
  /** Index of the image shown as Image B. */
  second: number;
  /** Softmax probability of `▁A` after `▁Image`. */
  pFirst: number;
  /** Softmax probability of `▁B` there. */
  pSecond: number;
}

/** The soft outcome of one unordered pair, both orders folded together. */
export interface PairOutcome {
  /** i < j. */
  i: number;
  j: number;
  /** Probability that image i is better than image j, with position bias cancelled when both orders were asked. */
  pIBeatsJ: number;
  /** How many records the outcome stands for: its weight in the likelihood. */
  records: number;
  /** True when the pair was asked with each image first at least once, so position bias cancels. */
  bothOrders: boolean;
}

/** p(first image better) = p(▁A) / (p(▁A) + p(▁B)): tokens other than A and B carry no preference. */
export function pFirstWins(record: ComparisonRecord): number {
  return comparisonConfidence(record.pFirst, record.pSecond).confidenceA;
}

export function validateRecord(record: ComparisonRecord, n: number): void {
  const { first, second, pFirst, pSecond } = record;
  const isIndex = (k: number) => Number.isInteger(k) && k >= 0 && k < n;
  if (!isIndex(first) || !isIndex(second) || first === second) {
    throw invalid(`Comparison of images ${first} and ${second}: expected two different indices in [0, ${n}).`);
  }
  if (!(Number.isFinite(pFirst) && Number.isFinite(pSecond) && pFirst >= 0 && pSecond >= 0 && pFirst <= 1 && pSecond <= 1)) {
    throw invalid(`Comparison of images ${first} and ${second} has probabilities ${pFirst} and ${pSecond}; expected numbers in [0, 1].`);
  }
}

/**
 * Folds the records of each unordered pair into one soft outcome. A lean towards Image A adds the same
 * amount to the log-odds of either order (the letter's prior in the model's logits), so the two orders
 * are averaged on the log-odds scale, each order with equal weight: the lean cancels exactly, even when
 * one order was asked more often. (Averaging the probabilities would cancel it only to first order and
 * pull every outcome towards 1/2.) The combined outcome is σ of the mean log-odds.
 * Pairs come out sorted by (i, j), so the result does not depend on the order of the records.
 */
export function combineOrders(records: readonly ComparisonRecord[]): PairOutcome[] {
  const pairs = new Map<number, { i: number; j: number; forward: number[]; backward: number[] }>();
  for (const record of records) {
    const i = Math.min(record.first, record.second);
    const j = Math.max(record.first, record.second);
    const key = i * 65536 + j;
    const entry = pairs.get(key) ?? { i, j, forward: [], backward: [] };
    // forward: i shown first; its answer is p(i better). backward: j first; 1 − p(first) is p(i better).
    if (record.first === i) entry.forward.push(pFirstWins(record));
    else entry.backward.push(1 - pFirstWins(record));
    pairs.set(key, entry);
  }
  return [...pairs.values()]
    .sort((a, b) => a.i - b.i || a.j - b.j)
    .map(({ i, j, forward, backward }) => {
      const means = [forward, backward].filter((order) => order.length > 0).map((order) => sortedMean(order.map(logOdds)));
      return {
        i,
        j,
        pIBeatsJ: sigmoid(means.reduce((s, v) => s + v, 0) / means.length),
        records: forward.length + backward.length,
        bothOrders: means.length === 2,
      };
    });
}

/**
 * Mean p(first image better) over all records: 0.5 when the model has no lean towards the image shown
 * first. Only meaningful on a balanced design (each pair in both orders), where the images' true
 * qualities average out.
 */
export function positionBias(records: readonly ComparisonRecord[]): number {
  if (records.length === 0) return NaN;
  return sortedMean(records.map(pFirstWins));
}

/**
 * Probabilities are clamped to [1e-6, 1 − 1e-6] (±13.8 logits) first: a confidence that rounded to
 * exactly 0 or 1 must not outvote the other order with an infinite log-odds.
 */
export const LOG_ODDS_CLAMP = 1e-6;

function logOdds(p: number): number {
  const clamped = Math.min(1 - LOG_ODDS_CLAMP, Math.max(LOG_ODDS_CLAMP, p));
  return Math.log(clamped / (1 - clamped));
}

/** Summed in sorted order, so that a stored run re-applied in any order gives bit-identical sums. */
function sortedMean(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b).reduce((s, v) => s + v, 0) / values.length;
}

function invalid(message: string): AppError {
  return new AppError('SCORES_INPUT_INVALID', message, { hint: 'Record the two images by their indices and the raw p(▁A), p(▁B) of the answer.' });
}
