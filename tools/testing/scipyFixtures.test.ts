import { describe, expect, it } from 'vitest';
import methods from '../../src/core/methods/fixtures/methods.json';
import ranking from '../../src/core/ranking/fixtures/ranking.json';
import { freshFixture, scipySkipReason } from './scipyPython.ts';

/**
 * The numpy + scipy scripts still write the committed fixtures that src/core/ranking and src/core/methods check the
 * TypeScript against: the same inputs exactly, the scores to 1e-9 (the last bits of SciPy's solver vary by version).
 */
const script = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const within = (actual: number, expected: number, what: string) => expect(Math.abs(actual - expected), what).toBeLessThan(1e-9);

describe.skipIf(scipySkipReason("the fixture scripts' checks") !== null)('the SciPy fixture scripts', () => {
  it('tools/ranking/make_ranking_fixture.py still writes the ranking fixture', () => {
    const run = freshFixture<typeof ranking>(script('tools/ranking/make_ranking_fixture.py'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.fixture!.cases.map((c) => c.records)).toEqual(ranking.cases.map((c) => c.records));
    run.fixture!.cases.forEach((c, k) => c.fit.scores.forEach((score, j) => within(score, ranking.cases[k]!.fit.scores[j]!, `case ${k}, score ${j}`)));
  });

  it('cli/compare/make_methods_fixture.py still writes the methods fixture', () => {
    const run = freshFixture<typeof methods>(script('cli/compare/make_methods_fixture.py'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.fixture!.cases.map((c) => c.images)).toEqual(methods.cases.map((c) => c.images));
    run.fixture!.cases.forEach((c, k) => c.stats.methods.forEach((m, j) => within(m.score, methods.cases[k]!.stats.methods[j]!.score, m.name)));
  });
});
