import { describe, expect, it } from 'vitest';
import fixture from './fixtures/scores.json';
import { evaluateGroup, evaluateGroups, voteScores, type Comparison } from './scores.ts';

describe('voteScores', () => {
  const comparisons = fixture.votes.comparisons as Comparison[];

  it('gives the winner c and the loser 1 − c, averaged per image, as upstream does', () => {
    const scores = voteScores(comparisons);
    expect(scores.map((s) => s.image)).toEqual(fixture.votes.images);
    scores.forEach((s, i) => expect(Math.abs(s.score - fixture.votes.withConfidence[i]!)).toBeLessThan(1e-12));
    expect(scores.every((s) => s.count === 14)).toBe(true);
  });

  it('counts 1 and 0 without a confidence', () => {
    const plain = comparisons.map(({ a, b, winner }) => ({ a, b, winner }));
    voteScores(plain).forEach((s, i) => expect(Math.abs(s.score - fixture.votes.withoutConfidence[i]!)).toBeLessThan(1e-12));
    expect(voteScores([{ a: 'x', b: 'y', winner: 'B' }])).toEqual([
      { image: 'x', score: 0, count: 1 },
      { image: 'y', score: 1, count: 1 },
    ]);
  });

  it('refuses a confidence outside [0, 1]', () => {
    expect(() => voteScores([{ a: 'x', b: 'y', winner: 'A', confidence: 1.5 }])).toThrow(/Comparison 1 has confidence 1.5/);
  });
});

describe('evaluateGroup', () => {
  it.each(fixture.groups.filter((g) => g.wellPosed).map((g) => [g.name, g] as const))(
    'matches scipy SRCC and PLCC after the fit on group %s',
    (_, group) => {
      const result = evaluateGroup(group.x, group.y);
      expect(Math.abs(result.srcc - group.srcc)).toBeLessThan(1e-6);
      expect(Math.abs(result.plcc - group.plcc)).toBeLessThan(1e-6);
    },
  );

  it.each(fixture.groups.filter((g) => !g.wellPosed).map((g) => [g.name, g] as const))(
    'comes within 1e-5 of scipy PLCC on ill-posed group %s',
    (_, group) => {
      expect(Math.abs(evaluateGroup(group.x, group.y).plcc - group.plcc)).toBeLessThan(1e-5);
    },
  );

  it('correlates the raw scores of a group too small to fit', () => {
    const result = evaluateGroup([0.2, 0.9, 0.5], [1, 3, 2.5]);
    expect(result.betas).toBeNull();
    expect(result.srcc).toBe(1);
    expect(result.fitted).toEqual([0.2, 0.9, 0.5]);
  });

  it('averages SRCC and PLCC over groups', () => {
    const groups = fixture.groups.filter((g) => g.wellPosed);
    const result = evaluateGroups(groups.map((g) => ({ predicted: g.x, mos: g.y })));
    const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(result.srcc - mean(groups.map((g) => g.srcc)))).toBeLessThan(1e-6);
    expect(Math.abs(result.plcc - mean(groups.map((g) => g.plcc)))).toBeLessThan(1e-6);
    expect(() => evaluateGroups([])).toThrow(/No groups/);
  });
});
