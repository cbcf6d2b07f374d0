import { describe, expect, it } from 'vitest';
import { addComparison, createRanking, defaultPairBudget, fit, nextPair, type RankingState } from './ranking.ts';
import type { ComparisonRecord } from './records.ts';
import { createObserver, drawScores } from './simulatedObserver.ts';

/** Drives a ranking to its end with an observer; returns the final state and every query asked. */
const drive = (state: RankingState, answer: (q: { first: number; second: number }) => ComparisonRecord) => {
  const queries: Array<{ first: number; second: number }> = [];
  for (let q = nextPair(state); q; q = nextPair(state)) {
    queries.push(q);
    state = addComparison(state, answer(q));
  }
  return { state, queries };
};

describe('createRanking', () => {
  it('takes 2 to 64 images and budgets ⌈N·log2 N⌉ pairs, at most all of them', () => {
    expect(() => createRanking(1)).toThrow(/Cannot rank 1 images/);
    expect(() => createRanking(65)).toThrow(/Cannot rank 65 images/);
    expect(() => createRanking(2.5)).toThrow(/Cannot rank 2.5 images/);
    expect([2, 3, 16, 32, 64].map(defaultPairBudget)).toEqual([1, 3, 64, 160, 384]);
    expect(createRanking(16).options).toMatchObject({ mode: 'active', maxPairs: 64, stopWhenSettled: true, separation: 0.95 });
    expect(createRanking(16, { mode: 'allPairs' }).options).toMatchObject({ maxPairs: 120, stopWhenSettled: false });
    expect(createRanking(16, { maxPairs: undefined, priorSd: 1 }).options).toMatchObject({ maxPairs: 64, priorSd: 1 });
    expect(() => createRanking(16, { maxPairs: 0 })).toThrow(/maxPairs 0/);
    expect(() => createRanking(16, { separation: 0.4 })).toThrow(/separation 0.4/);
  });
});

describe('nextPair', () => {
  it('asks every pair in both orders, in groups of comparisons that share Image A', () => {
    const truth = drawScores(8, 1, 1.5);
    const observer = createObserver(truth, 2, { bias: 0.3, noiseSd: 0.3 });
    const { queries } = drive(createRanking(8), observer.answer);
    const orders = new Set(queries.map((q) => `${q.first}-${q.second}`));
    expect(orders.size).toBe(queries.length);
    for (const q of queries) expect(orders.has(`${q.second}-${q.first}`)).toBe(true);
    // A new group wherever Image A changes: far fewer than one per comparison.
    const groups = queries.filter((q, k) => k === 0 || q.first !== queries[k - 1]!.first).length;
    expect(queries.length / groups).toBeGreaterThanOrEqual(4);
  });

  it("in 'allPairs' mode asks every pair in both orders, image 0 as Image A first, DepictQA's protocol", () => {
    const observer = createObserver(drawScores(5, 3, 1), 4);
    const { state, queries } = drive(createRanking(5, { mode: 'allPairs' }), observer.answer);
    expect(queries).toHaveLength(20);
    expect(queries.slice(0, 5)).toEqual([
      { first: 0, second: 1 },
      { first: 0, second: 2 },
      { first: 0, second: 3 },
      { first: 0, second: 4 },
      { first: 1, second: 0 },
    ]);
    expect(queries.filter((q, k) => k === 0 || q.first !== queries[k - 1]!.first)).toHaveLength(5);
    const result = fit(state);
    expect(result.pairsCompared).toBe(10);
    expect(result.pairsInBothOrders).toBe(10);
    expect(result.votingScores.every(Number.isFinite)).toBe(true);
  });

  it('stops early once every neighbour is separated', () => {
    // Scores 3 logits apart and a consistent observer: a few pairs settle the order of 6 images.
    const truth = [7.5, 4.5, 1.5, -1.5, -4.5, -7.5];
    const observer = createObserver(truth, 5, { noiseSd: 0.05 });
    const { state } = drive(createRanking(6, { priorSd: 10 }), observer.answer);
    const result = fit(state);
    expect(result.settled).toBe(true);
    expect(result.order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.pairsCompared).toBeLessThan(defaultPairBudget(6));
  });
});

describe('addComparison', () => {
  it('gives the same state and next pair for stored records re-applied in the order asked, the same fit in any order', () => {
    const observer = createObserver(drawScores(10, 6, 1.5), 7, { bias: 0.4, noiseSd: 0.5 });
    let state = createRanking(10);
    const asked: ComparisonRecord[] = [];
    for (let k = 0; k < 24; k++) {
      asked.push(observer.answer(nextPair(state)!));
      state = addComparison(state, asked.at(-1)!);
    }
    const resumed = asked.reduce(addComparison, createRanking(10));
    expect(resumed).toEqual(state);
    expect(nextPair(resumed)).toEqual(nextPair(state));
    const shuffled = [...asked].sort((a, b) => ((a.pFirst * 7919) % 1) - ((b.pFirst * 7919) % 1));
    const anyOrder = shuffled.reduce(addComparison, createRanking(10));
    expect(anyOrder.records).toEqual(state.records);
    expect(fit(anyOrder).scores).toEqual(fit(state).scores);
  });

  it('leaves the state it was given untouched and refuses a bad record', () => {
    const state = createRanking(3);
    const next = addComparison(state, { first: 0, second: 2, pFirst: 0.4, pSecond: 0.5 });
    expect(state.records).toHaveLength(0);
    expect(next.records).toHaveLength(1);
    expect(() => addComparison(state, { first: 0, second: 3, pFirst: 0.4, pSecond: 0.5 })).toThrow(/\[0, 3\)/);
  });
});
