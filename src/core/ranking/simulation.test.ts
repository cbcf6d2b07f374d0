import { describe, expect, it } from 'vitest';
import { spearman } from '../generation/correlation.ts';
import { fitBradleyTerry } from './bradleyTerry.ts';
import { addComparison, createRanking, defaultPairBudget, fit, nextPair, type RankingOptions } from './ranking.ts';
import { combineOrders, type ComparisonRecord } from './records.ts';
import { createObserver, drawScores, type ObserverOptions } from './simulatedObserver.ts';

/**
 * The ranking against a simulated observer with known scores (sd 1.5 logits), a lean of 0.5 logits
 * towards Image A and fresh noise of sd 0.5 logits in each order. Every run is seeded, so the numbers
 * below are the same on every machine; the thresholds leave room under the worst seed.
 */
const OBSERVER: ObserverOptions = { bias: 0.5, noiseSd: 0.5 };
const SCORE_SD = 1.5;

function simulate(n: number, seed: number, options: RankingOptions = {}, observer = OBSERVER) {
  const truth = drawScores(n, 1000 + seed, SCORE_SD);
  const answer = createObserver(truth, 2000 + seed, observer).answer;
  let state = createRanking(n, options);
  for (let q = nextPair(state); q; q = nextPair(state)) state = addComparison(state, answer(q));
  return { truth, result: fit(state) };
}

const covered = (truth: number[], lower: number[], upper: number[]) => truth.filter((t, i) => t >= lower[i]! && t <= upper[i]!).length;

describe('the active ranking with a simulated observer', () => {
  it.each([
    [16, [1, 2, 3, 4, 5, 6, 7, 8]],
    [32, [1, 2, 3, 4, 5, 6, 7, 8]],
  ])('recovers the order of %i images within ⌈N·log2 N⌉ pairs (SRCC ≥ 0.95 on every seed)', (n, seeds) => {
    const runs = seeds.map((seed) => {
      const { truth, result } = simulate(n, seed);
      return { seed, srcc: spearman(result.scores, truth), voting: spearman(result.votingScores, truth), pairs: result.pairsCompared };
    });
    console.log(
      `ranking N=${n}, budget ${defaultPairBudget(n)} pairs: ` +
        runs.map((r) => `seed ${r.seed} SRCC ${r.srcc.toFixed(4)} (voting ${r.voting.toFixed(4)}) in ${r.pairs} pairs`).join('; '),
    );
    for (const run of runs) {
      expect(run.pairs).toBeLessThanOrEqual(defaultPairBudget(n));
      expect(run.srcc, `seed ${run.seed}`).toBeGreaterThanOrEqual(0.95);
    }
  });
});

describe('both orders against one order', () => {
  it('removes the lean towards Image A that a single-order fit takes for quality', () => {
    // Every pair of 12 images; one design shows the lower index first only, the other asks both orders.
    // With one order, image i is shown first in n − 1 − i pairs and second in i, so the lean leaks into
    // its score as about bias · (n − 1 − 2i) / n; the slope of the error on that excess measures the leak.
    const n = 12;
    const excess = Array.from({ length: n }, (_, i) => (n - 1 - 2 * i) / n);
    const slope = (errors: number[]) => errors.reduce((s, e, i) => s + e * excess[i]!, 0) / excess.reduce((s, x) => s + x * x, 0);
    const single: number[] = [];
    const both: number[] = [];
    const scale: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const truth = drawScores(n, 3000 + seed, SCORE_SD);
      const answer = createObserver(truth, 4000 + seed, OBSERVER).answer;
      const forward: ComparisonRecord[] = [];
      const backward: ComparisonRecord[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          forward.push(answer({ first: i, second: j }));
          backward.push(answer({ first: j, second: i }));
        }
      }
      const oneOrder = fitBradleyTerry(n, combineOrders(forward)).scores;
      const twoOrders = fitBradleyTerry(n, combineOrders([...forward, ...backward])).scores;
      single.push(slope(oneOrder.map((s, i) => s - truth[i]!)));
      both.push(slope(twoOrders.map((s, i) => s - truth[i]!)));
      scale.push(twoOrders.reduce((s, v, i) => s + v * truth[i]!, 0) / truth.reduce((s, t) => s + t * t, 0));
    }
    const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    console.log(
      `position bias ${OBSERVER.bias} logits, 20 rankings of 12: leak slope one order ${mean(single).toFixed(3)}, ` +
        `both orders ${mean(both).toFixed(3)}; both-order scores / true scores ${mean(scale).toFixed(3)}`,
    );
    expect(Math.abs(mean(single) - OBSERVER.bias!)).toBeLessThan(0.1);
    expect(Math.abs(mean(both))).toBeLessThan(0.05);
    expect(Math.max(...both.map(Math.abs))).toBeLessThan(Math.min(...single));
    // Noise in the observer's log-odds flattens σ a little, so the scale comes out slightly under 1.
    expect(mean(scale)).toBeGreaterThan(0.9);
    expect(mean(scale)).toBeLessThan(1.05);
  });
});

describe('the 95% intervals', () => {
  it.each([
    ['active', 16, 30],
    ['allPairs', 12, 30],
  ] as const)('cover the true scores at about their rate (%s, %i images, %i rankings)', (mode, n, rankings) => {
    let hits = 0;
    for (let seed = 1; seed <= rankings; seed++) {
      const { truth, result } = simulate(n, 100 + seed, { mode });
      hits += covered(truth, result.lower, result.upper);
    }
    const coverage = hits / (n * rankings);
    console.log(`95% interval coverage, ${mode}, ${rankings} rankings of ${n}: ${coverage.toFixed(4)} of ${n * rankings}`);
    expect(coverage).toBeGreaterThanOrEqual(0.85);
    expect(coverage).toBeLessThanOrEqual(0.99);
  });
});
