import { AppError } from '../errors.ts';
import { DEFAULT_BRADLEY_TERRY, fitBradleyTerry, type BradleyTerryFit, type BradleyTerryOptions } from './bradleyTerry.ts';
import { sigmoid } from './logistic.ts';
import { DEFAULT_SEPARATION, orderIsSettled, rankOrder, tiedGroups } from './order.ts';
import { combineOrders, positionBias, validateRecord, type ComparisonRecord, type PairOutcome } from './records.ts';
import { votingScores } from './voting.ts';

/**
 * Ranking N distorted images of one reference from pairwise answers, as a pure state machine that a
 * page, a worker or a CLI can drive and resume: `nextPair` says which images to show next (or null when
 * done), `addComparison` records the answer, `fit` gives scores, intervals and tied groups. The state is
 * plain data (its records sorted), so stored records re-applied in any order give the same state.
 *
 * Every pair is asked in both orders (the second order is always asked next) so that position bias cancels.
 * - 'active': the next pair is the one whose answer is expected to teach the most (see `pickPair`);
 *   stop after ⌈N·log2 N⌉ pairs, or earlier once every image is separated from its neighbours.
 * - 'allPairs': DepictQA's protocol, every pair once (in both orders).
 */
export type RankingMode = 'active' | 'allPairs';

export interface RankingOptions extends BradleyTerryOptions {
  mode?: RankingMode;
  /** Most pairs to compare; default ⌈N·log2 N⌉ in 'active' mode, all N(N − 1)/2 in 'allPairs'. */
  maxPairs?: number;
  /** Stop before the budget once the order is settled; default true in 'active' mode, false in 'allPairs'. */
  stopWhenSettled?: boolean;
  /** Probability at which two neighbours count as told apart. */
  separation?: number;
}

export type ResolvedRankingOptions = Required<RankingOptions>;

export interface RankingState {
  readonly n: number;
  readonly options: ResolvedRankingOptions;
  /** Sorted by (first, second, pFirst, pSecond). */
  readonly records: readonly ComparisonRecord[];
}

/** Show image `first` as Image A and `second` as Image B. */
export interface PairQuery {
  first: number;
  second: number;
}

export interface RankingResult extends BradleyTerryFit {
  /** Image indices, best first. */
  order: number[];
  /** Runs of neighbours in `order` not yet separated with probability ≥ `separation`. */
  tiedGroups: number[][];
  /** True when no tied group has more than one image. */
  settled: boolean;
  /** [n] DepictQA's voting scores (NaN for an image never compared). */
  votingScores: number[];
  /** Mean p(image shown first is better); 0.5 is no bias. */
  positionBias: number;
  /** Distinct pairs compared, and how many of them in both orders. */
  pairsCompared: number;
  pairsInBothOrders: number;
}

export const MIN_IMAGES = 2;
export const MAX_IMAGES = 64;

export function defaultPairBudget(n: number): number {
  return Math.min((n * (n - 1)) / 2, Math.ceil(n * Math.log2(n)));
}

export function createRanking(n: number, options: RankingOptions = {}): RankingState {
  if (!(Number.isInteger(n) && n >= MIN_IMAGES && n <= MAX_IMAGES)) {
    throw new AppError('SCORES_INPUT_INVALID', `Cannot rank ${n} images; expected ${MIN_IMAGES} to ${MAX_IMAGES}.`, {
      hint: `Pick between ${MIN_IMAGES} and ${MAX_IMAGES} distorted images of one reference.`,
    });
  }
  const mode = options.mode ?? 'active';
  const resolved: ResolvedRankingOptions = {
    ...DEFAULT_BRADLEY_TERRY,
    mode,
    maxPairs: mode === 'allPairs' ? (n * (n - 1)) / 2 : defaultPairBudget(n),
    stopWhenSettled: mode === 'active',
    separation: DEFAULT_SEPARATION,
    ...definedOnly(options),
  };
  if (!(Number.isInteger(resolved.maxPairs) && resolved.maxPairs >= 1 && resolved.separation > 0.5 && resolved.separation < 1)) {
    throw new AppError('SCORES_INPUT_INVALID', `Ranking options out of range: maxPairs ${resolved.maxPairs}, separation ${resolved.separation}.`, {
      hint: 'Use a whole number of pairs ≥ 1 and a separation between 0.5 and 1.',
    });
  }
  return { n, options: resolved, records: [] };
}

export function addComparison(state: RankingState, record: ComparisonRecord): RankingState {
  validateRecord(record, state.n);
  const copy = { first: record.first, second: record.second, pFirst: record.pFirst, pSecond: record.pSecond };
  return { ...state, records: [...state.records, copy].sort(compareRecords) };
}

export function fit(state: RankingState): RankingResult {
  const pairs = combineOrders(state.records);
  const bt = fitBradleyTerry(state.n, pairs, state.options);
  const groups = tiedGroups(bt, state.options.separation);
  return {
    ...bt,
    order: rankOrder(bt.scores),
    tiedGroups: groups,
    settled: groups.every((group) => group.length === 1),
    votingScores: votingScores(state.n, state.records),
    positionBias: positionBias(state.records),
    pairsCompared: pairs.length,
    pairsInBothOrders: pairs.filter((pair) => pair.bothOrders).length,
  };
}

export function nextPair(state: RankingState): PairQuery | null {
  const pairs = combineOrders(state.records);
  // 1. Finish a pair that has one order only, so its position bias cancels before anything else is asked.
  const half = pairs.find((pair) => !pair.bothOrders);
  if (half) {
    const askedIFirst = state.records.some((r) => r.first === half.i && r.second === half.j);
    return askedIFirst ? { first: half.j, second: half.i } : { first: half.i, second: half.j };
  }
  // 2. Stop at the budget or when no pair is left.
  const { n, options } = state;
  if (pairs.length >= Math.min(options.maxPairs, (n * (n - 1)) / 2)) return null;
  const compared = new Set(pairs.map((pair) => pair.i * MAX_IMAGES + pair.j));
  if (options.mode === 'allPairs' && !options.stopWhenSettled) return firstUncompared(n, compared);
  // 3. Stop early when the comparisons connect every image and order them all.
  const bt = fitBradleyTerry(n, pairs, options);
  if (options.stopWhenSettled && isConnected(n, pairs) && orderIsSettled(bt, options.separation)) return null;
  return options.mode === 'allPairs' ? firstUncompared(n, compared) : pickPair(n, bt, compared);
}

/**
 * The uncompared pair with the largest expected information gain under the Laplace posterior. For a
 * difference Δ ~ N(m, v) and one soft answer of Fisher information μ(1 − μ)/φ, the gain is
 * ½ log(1 + v μ(1 − μ)/φ): monotone in v·μ(1 − μ), so φ does not change the choice. μ is the predictive
 * probability σ(m / √(1 + πv/8)), so a pair whose order is uncertain counts as a close call.
 * Pairs never asked again: the model answers the same images the same way, so a repeat teaches nothing.
 */
function pickPair(n: number, bt: BradleyTerryFit, compared: ReadonlySet<number>): PairQuery | null {
  const c = bt.covariance;
  let best: PairQuery | null = null;
  let bestGain = -Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (compared.has(i * MAX_IMAGES + j)) continue;
      const variance = c[i * n + i]! + c[j * n + j]! - 2 * c[i * n + j]!;
      const mu = sigmoid((bt.scores[i]! - bt.scores[j]!) / Math.sqrt(1 + (Math.PI * variance) / 8));
      const gain = variance * mu * (1 - mu);
      // Strictly greater: equal gains go to the first pair in (i, j) order, so the choice is reproducible.
      if (gain > bestGain * (1 + 1e-12)) {
        bestGain = gain;
        best = { first: i, second: j };
      }
    }
  }
  return best;
}

function firstUncompared(n: number, compared: ReadonlySet<number>): PairQuery | null {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!compared.has(i * MAX_IMAGES + j)) return { first: i, second: j };
  return null;
}

/** Union–find over the compared pairs: without a path between two images their order is only the prior's. */
function isConnected(n: number, pairs: readonly PairOutcome[]): boolean {
  const parent = Array.from({ length: n }, (_, i) => i);
  const root = (k: number): number => (parent[k] === k ? k : (parent[k] = root(parent[k]!)));
  let components = n;
  for (const { i, j } of pairs) {
    const a = root(i);
    const b = root(j);
    if (a !== b) {
      parent[a] = b;
      components--;
    }
  }
  return components === 1;
}

function compareRecords(a: ComparisonRecord, b: ComparisonRecord): number {
  return a.first - b.first || a.second - b.second || a.pFirst - b.pFirst || a.pSecond - b.pSecond;
}

function definedOnly(options: RankingOptions): Partial<ResolvedRankingOptions> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<ResolvedRankingOptions>;
}
