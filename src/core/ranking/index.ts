/** Ranking distorted images of one reference from pairwise answers: pure logic, no DOM, no workers. */
export { bootstrapIntervals, type BootstrapIntervals, type BootstrapOptions } from './bootstrap.ts';
export { DEFAULT_BRADLEY_TERRY, fitBradleyTerry, type BradleyTerryFit, type BradleyTerryOptions } from './bradleyTerry.ts';
export { DEFAULT_SEPARATION, orderIsSettled, probabilityBetter, rankOrder, tiedGroups } from './order.ts';
export {
  addComparison,
  createRanking,
  defaultPairBudget,
  fit,
  MAX_IMAGES,
  MIN_IMAGES,
  nextPair,
  type PairQuery,
  type RankingMode,
  type RankingOptions,
  type RankingResult,
  type RankingState,
  type ResolvedRankingOptions,
} from './ranking.ts';
export { combineOrders, pFirstWins, positionBias, validateRecord, type ComparisonRecord, type PairOutcome } from './records.ts';
export { votingScores } from './voting.ts';
export { rankingReport, type OrderProbabilities, type RankedImage, type RankedPair, type RankingReport } from './report.ts';
