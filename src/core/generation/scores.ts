import { AppError } from '../errors.ts';
import { pearson, spearman } from './correlation.ts';
import { fitLogistic4, type LogisticBetas } from './logisticFit.ts';
import type { Verdict } from './verdict.ts';

/**
 * Quality scores from pairwise comparisons (paper §5.1; DepictQA's src/eval/cal_srcc_plcc_voting.py):
 * each comparison gives the winner its confidence c and the loser 1 − c (1 and 0 without a confidence);
 * an image's score is the mean over the comparisons it took part in.
 */
export interface Comparison {
  /** Ids of the images shown as Image A and Image B. */
  a: string;
  b: string;
  winner: Verdict;
  /** The winner's probability (upstream: p of the chosen letter); omitted = 1. */
  confidence?: number;
}

export interface VoteScore {
  image: string;
  score: number;
  /** Comparisons the image took part in. */
  count: number;
}

/** Scores in the order the images first appear. */
export function voteScores(comparisons: readonly Comparison[]): VoteScore[] {
  const totals = new Map<string, { sum: number; count: number }>();
  const add = (image: string, score: number): void => {
    const entry = totals.get(image) ?? { sum: 0, count: 0 };
    entry.sum += score;
    entry.count += 1;
    totals.set(image, entry);
  };
  comparisons.forEach((comparison, index) => {
    const c = comparison.confidence ?? 1;
    if (!(c >= 0 && c <= 1)) {
      throw new AppError('SCORES_INPUT_INVALID', `Comparison ${index + 1} has confidence ${c}; expected a number in [0, 1].`, {
        hint: 'Use the confidence reported with the comparison, or leave it out.',
      });
    }
    add(comparison.a, comparison.winner === 'A' ? c : 1 - c);
    add(comparison.b, comparison.winner === 'B' ? c : 1 - c);
  });
  return [...totals].map(([image, { sum, count }]) => ({ image, score: sum / count, count }));
}

export interface GroupEvaluation {
  srcc: number;
  plcc: number;
  /** The fitted curve, or null when the group is too small or its scores are all equal (then SRCC and
   *  PLCC are taken on the raw scores: SRCC is unchanged by a monotone fit anyway). */
  betas: LogisticBetas | null;
  /** ŷ, the scores mapped onto the MOS scale (the raw scores when there is no fit). */
  fitted: number[];
}

/** SRCC and PLCC of one reference group, after the logistic fit, as upstream computes them. */
export function evaluateGroup(predicted: readonly number[], mos: readonly number[]): GroupEvaluation {
  const canFit = predicted.length >= 4 && new Set(predicted).size > 1;
  if (!canFit) return { srcc: spearman(predicted, mos), plcc: pearson(predicted, mos), betas: null, fitted: [...predicted] };
  const fit = fitLogistic4(predicted, mos);
  return { srcc: spearman(fit.predictions, mos), plcc: pearson(fit.predictions, mos), betas: fit.betas, fitted: fit.predictions };
}

/** Mean SRCC and PLCC over reference groups, each group fitted on its own. */
export function evaluateGroups(groups: ReadonlyArray<{ predicted: readonly number[]; mos: readonly number[] }>): {
  srcc: number;
  plcc: number;
  groups: GroupEvaluation[];
} {
  if (groups.length === 0) {
    throw new AppError('SCORES_INPUT_INVALID', 'No groups of scores to evaluate.', { hint: 'Add at least one reference group.' });
  }
  const results = groups.map((g) => evaluateGroup(g.predicted, g.mos));
  const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;
  return { srcc: mean(results.map((r) => r.srcc)), plcc: mean(results.map((r) => r.plcc)), groups: results };
}
