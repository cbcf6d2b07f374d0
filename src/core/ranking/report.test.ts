import { describe, expect, it } from 'vitest';
import { addComparison, createRanking, fit, nextPair } from './ranking.ts';
import { rankingReport } from './report.ts';
import { createObserver } from './simulatedObserver.ts';

describe('rankingReport', () => {
  it('lists every candidate best first with its interval, votes, wins and losses, and each pair with both raw orders', () => {
    const observer = createObserver([2, 0, -2], 1, { bias: 0.2, noiseSd: 0.1 });
    let state = createRanking(3, { mode: 'allPairs' });
    for (let q = nextPair(state); q; q = nextPair(state)) state = addComparison(state, observer.answer(q));
    const report = rankingReport(state);
    const result = fit(state);
    expect(report.ranking.map((entry) => entry.index)).toEqual([0, 1, 2]);
    expect(report.ranking.map((entry) => [entry.wins, entry.losses])).toEqual([
      [2, 0],
      [1, 1],
      [0, 2],
    ]);
    for (const entry of report.ranking) {
      expect(entry.low).toBeLessThan(entry.score);
      expect(entry.high).toBeGreaterThan(entry.score);
      expect(entry.votes).toBe(result.votingScores[entry.index]);
    }
    expect(report.comparisons.map(({ i, j }) => [i, j])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const record = state.records.find((r) => r.first === 2 && r.second === 0)!;
    expect(report.comparisons[1]!.jFirst).toEqual({ pA: record.pFirst, pB: record.pSecond });
    expect(report.comparisons[1]!.pIBeatsJ).toBeGreaterThan(0.5);
    expect(report.positionBias).toBe(result.positionBias);
  });

  it('leaves an order that was not asked as null', () => {
    const state = addComparison(createRanking(2), { first: 1, second: 0, pFirst: 0.3, pSecond: 0.6 });
    expect(rankingReport(state).comparisons).toEqual([{ i: 0, j: 1, iFirst: null, jFirst: { pA: 0.3, pB: 0.6 }, pIBeatsJ: expect.closeTo(2 / 3, 12) }]);
  });
});
