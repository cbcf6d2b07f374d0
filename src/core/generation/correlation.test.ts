import { describe, expect, it } from 'vitest';
import fixture from './fixtures/scores.json';
import { averageRanks, kendall, pearson, spearman } from './correlation.ts';

describe('averageRanks', () => {
  it('gives ties the mean of the ranks they span, as scipy.stats.rankdata does', () => {
    expect(averageRanks([10, 20, 10, 30])).toEqual([1.5, 3, 1.5, 4]);
    expect(averageRanks([3, 3, 3])).toEqual([2, 2, 2]);
    expect(averageRanks([0.5, -1, 2, 0.5, 0.5])).toEqual([3, 1, 5, 3, 3]);
  });
});

describe('pearson and spearman', () => {
  it.each(fixture.groups.map((g) => [g.name, g] as const))('match scipy on the raw scores of group %s', (_, group) => {
    expect(Math.abs(spearman(group.x, group.y) - group.srccRaw)).toBeLessThan(1e-12);
    expect(Math.abs(pearson(group.x, group.y) - group.plccRaw)).toBeLessThan(1e-12);
  });

  it('are ±1 for monotone data and NaN for a constant input', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBe(1);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 15);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('refuse inputs of different lengths', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(/2 scores with 3 values/);
    expect(() => spearman([1], [1])).toThrow(/at least 2/);
  });
});

describe('kendall', () => {
  it("matches scipy.stats.kendalltau's τ-b, ties included", () => {
    // scipy.stats.kendalltau([1, 2, 3, 4, 5], [3, 1, 2, 5, 4]).statistic == 0.4
    expect(kendall([1, 2, 3, 4, 5], [3, 1, 2, 5, 4])).toBeCloseTo(0.4, 12);
    // scipy.stats.kendalltau([1, 2, 2, 3], [1, 3, 2, 4]).statistic == 0.9128709291752769
    expect(kendall([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9128709291752769, 12);
    expect(kendall([1, 2, 3], [3, 2, 1])).toBe(-1);
    expect(kendall([1, 1, 1], [1, 2, 3])).toBeNaN();
  });
});
