import { fit, type RankingResult, type RankingState } from './ranking.ts';
import { combineOrders, type ComparisonRecord } from './records.ts';

/** One candidate's place in a finished ranking. */
export interface RankedImage {
  /** The candidate's index in the request. */
  index: number;
  /** MAP Bradley–Terry score in logits (scores sum to zero). */
  score: number;
  /** Ends of its 95% Laplace interval. */
  low: number;
  high: number;
  /** DepictQA's voting score: the mean of its normalised probability over its answers; NaN when never compared. */
  votes: number;
  /** Compared pairs it won or lost, both orders folded together (so position bias cancels); an exact 1/2 counts as neither. */
  wins: number;
  losses: number;
}

/** The raw probabilities of one order of a pair: p(▁A) and p(▁B) after `▁Image`. */
export interface OrderProbabilities {
  pA: number;
  pB: number;
}

/** One compared pair, i < j, with both orders' raw answers. */
export interface RankedPair {
  i: number;
  j: number;
  /** Image i shown as Image A; null when that order was not asked. */
  iFirst: OrderProbabilities | null;
  /** Image j shown as Image A. */
  jFirst: OrderProbabilities | null;
  /** p(i better than j) with the position bias cancelled (see `combineOrders`). */
  pIBeatsJ: number;
}

export interface RankingReport {
  /** Best first. */
  ranking: RankedImage[];
  /** Sorted by (i, j). */
  comparisons: RankedPair[];
  tiedGroups: number[][];
  settled: boolean;
  positionBias: number;
  dispersion: number;
}

/** The fitted ranking as plain data: one entry per candidate, one per compared pair. */
export function rankingReport(state: RankingState, result: RankingResult = fit(state)): RankingReport {
  const wins = new Array<number>(state.n).fill(0);
  const losses = new Array<number>(state.n).fill(0);
  const comparisons = combineOrders(state.records).map(({ i, j, pIBeatsJ }) => {
    if (pIBeatsJ > 0.5) {
      wins[i]!++;
      losses[j]!++;
    } else if (pIBeatsJ < 0.5) {
      wins[j]!++;
      losses[i]!++;
    }
    return { i, j, iFirst: lastAnswer(state.records, i, j), jFirst: lastAnswer(state.records, j, i), pIBeatsJ };
  });
  return {
    ranking: result.order.map((index) => ({
      index,
      score: result.scores[index]!,
      low: result.lower[index]!,
      high: result.upper[index]!,
      votes: result.votingScores[index]!,
      wins: wins[index]!,
      losses: losses[index]!,
    })),
    comparisons,
    tiedGroups: result.tiedGroups,
    settled: result.settled,
    positionBias: result.positionBias,
    dispersion: result.dispersion,
  };
}

/** The answer with `first` as Image A (the last one stored, when a caller asked an order twice). */
function lastAnswer(records: readonly ComparisonRecord[], first: number, second: number): OrderProbabilities | null {
  const found = records.filter((record) => record.first === first && record.second === second).at(-1);
  return found === undefined ? null : { pA: found.pFirst, pB: found.pSecond };
}
