import { AppError } from '../errors.ts';
import { DEFAULT_BRADLEY_TERRY, fitBradleyTerry, type BradleyTerryFit, type BradleyTerryOptions } from './bradleyTerry.ts';
import { DEFAULT_SEPARATION, orderIsSettled, rankOrder, tiedGroups } from './order.ts';
import { nextInGroups, pairKey, planPairs, worthyPairWith, type PairQuery } from './pairPlan.ts';
import { combineOrders, positionBias, validateRecord, type ComparisonRecord, type PairOutcome } from './records.ts';
import { votingScores } from './voting.ts';

/**
 * Ranking N distorted images of one reference from pairwise answers, as a pure state machine that a
 * page, a worker or a CLI can drive and resume: `nextPair` says which images to show next (or null when
 * done), `addComparison` records the answer, `fit` gives scores, intervals and tied groups. The state is
 * plain data: its records sorted, and the last one added, so stored records re-applied in the order they were
 * asked give the same state (in any order, the same fit).
 *
 * Every pair is asked in both orders so that position bias cancels. Comparisons come in groups that share
 * Image A (see `nextInGroups`), so that the engine prefills A once per group, not once per comparison.
 * - 'active': the pairs are those whose answers are expected to teach the most (see `planPairs`), chosen
 *   again after every answer; no new pair after ⌈N·log2 N⌉ pairs, or earlier once every image is separated from
 *   its neighbours (the pairs then owed their second order are still asked).
 * - 'allPairs': DepictQA's protocol, every pair once (in both orders), image 0 as Image A first, then 1, ….
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
  /** The order added last: its Image A is kept while it has comparisons left. */
  readonly last: PairQuery | null;
}

export type { PairQuery };

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
  return { n, options: resolved, records: [], last: null };
}

export function addComparison(state: RankingState, record: ComparisonRecord): RankingState {
  validateRecord(record, state.n);
  const copy = { first: record.first, second: record.second, pFirst: record.pFirst, pSecond: record.pSecond };
  return { ...state, records: [...state.records, copy].sort(compareRecords), last: { first: record.first, second: record.second } };
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

/**
 * A group of comparisons keeps its Image A while A's best new pair teaches at least this share of what the best
 * pair of all would. Sharing A saves its rows' prefill, about 40% of a comparison's tokens. In simulated rankings
 * of 8 to 32 images (ranking.test.ts' observer), 1/4 gives 4.7 to 9.1 comparisons per group at the accuracy and
 * the early stop of one comparison per group; 1/2 gives 3.8 to 5.0, 3/4 about 2.
 */
const KEEP_A_GAIN = 0.25;

export function nextPair(state: RankingState): PairQuery | null {
  const { n, options } = state;
  const pairs = combineOrders(state.records);
  const owed = pairs
    .filter((pair) => !pair.bothOrders)
    .map((pair) => (state.records.some((r) => r.first === pair.i && r.second === pair.j) ? { first: pair.j, second: pair.i } : { first: pair.i, second: pair.j }));
  const compared = new Set(pairs.map((pair) => pair.i * n + pair.j));
  if (options.mode === 'allPairs' && !options.stopWhenSettled) return firstUnasked(n, state, compared, options.maxPairs);
  // New pairs while the budget lasts and the order is not settled.
  const budget = Math.min(options.maxPairs, (n * (n - 1)) / 2) - pairs.length;
  const bt = fitBradleyTerry(n, pairs, options);
  // Pairs asked in one order count: waiting for both orders would stop no earlier than the budget, since the
  // groups leave pairs owed their second order until late. Should those orders unsettle the fit, new pairs open again.
  const open = budget > 0 && !(options.stopWhenSettled && isConnected(n, pairs) && orderIsSettled(bt, options.separation));
  const ahead = Math.min(budget, Math.ceil(n / 2));
  const planFor = (a: number) => (open ? worthyPairWith(n, bt, compared, a, KEEP_A_GAIN) : null);
  return nextInGroups(n, state.last, owed, planFor, () => (open ? planPairs(n, bt, compared, ahead) : []));
}

/** 'allPairs' without an early stop: the first order not asked, image 0 as Image A first, then image 1, …. */
function firstUnasked(n: number, state: RankingState, compared: ReadonlySet<number>, maxPairs: number): PairQuery | null {
  const asked = new Set(state.records.map((r) => r.first * n + r.second));
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b || asked.has(a * n + b)) continue;
      // A pair not yet compared at all counts against the budget.
      if (!compared.has(pairKey(a, b, n)) && compared.size >= maxPairs) continue;
      return { first: a, second: b };
    }
  }
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
