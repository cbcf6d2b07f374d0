import { describe, expect, it } from 'vitest';
import { fitBradleyTerry } from './bradleyTerry.ts';
import fixture from './fixtures/ranking.json';
import { combineOrders, positionBias, type ComparisonRecord } from './records.ts';
import { votingScores } from './voting.ts';

/** The ranking's numbers against tools/ranking/make_ranking_fixture.py (numpy + scipy.optimize). */

const expectClose = (actual: readonly number[], expected: readonly number[], tolerance: number) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, k) => expect(Math.abs(v - expected[k]!), `entry ${k}: ${v} vs ${expected[k]}`).toBeLessThan(tolerance));
};

describe.each(fixture.cases.map((c) => [c.name, c] as const))('case %s', (_, testCase) => {
  const records = testCase.records as ComparisonRecord[];

  it('folds both orders into the same pair outcomes', () => {
    const pairs = combineOrders(records);
    expect(pairs.map(({ i, j, records: count, bothOrders }) => ({ i, j, records: count, bothOrders }))).toEqual(
      testCase.pairs.map(({ i, j, records: count, bothOrders }) => ({ i, j, records: count, bothOrders })),
    );
    expectClose(
      pairs.map((p) => p.pIBeatsJ),
      testCase.pairs.map((p) => p.pIBeatsJ),
      1e-12,
    );
    expect(Math.abs(positionBias(records) - testCase.positionBias)).toBeLessThan(1e-12);
  });

  it("gives DepictQA's voting scores", () => {
    const voting = votingScores(testCase.n, records);
    testCase.voting.forEach((expected, k) => {
      if (expected === null) expect(voting[k]).toBeNaN();
      else expect(Math.abs(voting[k]! - expected)).toBeLessThan(1e-12);
    });
  });

  it('finds the same MAP scores (1e-6), dispersion and intervals (1e-4)', () => {
    const fit = fitBradleyTerry(testCase.n, combineOrders(records), testCase.options);
    expectClose(fit.scores, testCase.fit.scores, 1e-6);
    expect(Math.abs(fit.dispersion - testCase.fit.dispersion)).toBeLessThan(1e-6);
    expectClose(fit.standardErrors, testCase.fit.standardErrors, 1e-4);
    expectClose(fit.lower, testCase.fit.lower, 1e-4);
    expectClose(fit.upper, testCase.fit.upper, 1e-4);
    expectClose([...fit.covariance], testCase.fit.covariance, 1e-4);
  });
});
