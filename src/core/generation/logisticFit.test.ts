import { describe, expect, it } from 'vitest';
import fixture from './fixtures/scores.json';
import { fitLogistic4, logistic4 } from './logisticFit.ts';

const maxAbsDiff = (a: readonly number[], b: readonly number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
const sse = (y: readonly number[], yhat: readonly number[]): number => y.reduce((s, v, i) => s + (v - yhat[i]!) ** 2, 0);

describe('fitLogistic4', () => {
  it('recovers the parameters of an exact logistic', () => {
    const truth = [4.5, 1.2, 0.4, 0.08];
    const x = Array.from({ length: 15 }, (_, i) => i / 14);
    const y = x.map((v) => logistic4(v, truth));
    const fit = fitLogistic4(x, y);
    fit.betas.forEach((b, i) => expect(b).toBeCloseTo(truth[i]!, 6));
    expect(fit.converged).toBe(true);
  });

  const wellPosed = fixture.groups.filter((g) => g.wellPosed);
  it.each(wellPosed.map((g) => [g.name, g] as const))('matches scipy curve_fit on group %s', (_, group) => {
    const fit = fitLogistic4(group.x, group.y);
    expect(maxAbsDiff(fit.predictions, group.yhat)).toBeLessThan(1e-4);
    // scipy's parametrisation lets b4 go negative; the fitted curve is the same either way.
    const scipyBetas = group.betas[3]! > 0 ? group.betas : [group.betas[1]!, group.betas[0]!, group.betas[2]!, -group.betas[3]!];
    fit.betas.forEach((b, i) => expect(Math.abs(b - scipyBetas[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(scipyBetas[i]!))));
  });

  // Where the least-squares optimum is a step or lies at infinity, each solver stops at its own point;
  // what must hold is that the fit is as good as scipy's.
  const illPosed = fixture.groups.filter((g) => !g.wellPosed);
  it.each(illPosed.map((g) => [g.name, g] as const))('fits ill-posed group %s as well as scipy does', (_, group) => {
    const fit = fitLogistic4(group.x, group.y);
    expect(fit.sse).toBeLessThanOrEqual(sse(group.y, group.yhat) * (1 + 1e-5));
    expect(maxAbsDiff(fit.predictions, group.yhat)).toBeLessThan(1e-2);
  });

  it('reports a decreasing curve with β4 > 0 and β1 < β2', () => {
    const group = fixture.groups.find((g) => g.name === 'decreasing')!;
    const fit = fitLogistic4(group.x, group.y);
    expect(fit.betas[3]).toBeGreaterThan(0);
    expect(fit.betas[0]).toBeLessThan(fit.betas[1]);
  });

  it('refuses groups it cannot fit', () => {
    expect(() => fitLogistic4([0.1, 0.2, 0.3], [1, 2, 3])).toThrow(/at least 4/);
    expect(() => fitLogistic4([0.5, 0.5, 0.5, 0.5], [1, 2, 3, 4])).toThrow(/every predicted score is the same/);
    expect(() => fitLogistic4([0.1, 0.2, 0.3, 0.4], [1, 2, 3])).toThrow(/4 predicted scores but 3 MOS/);
    expect(() => fitLogistic4([0.1, NaN, 0.3, 0.4], [1, 2, 3, 4])).toThrow(/finite/);
  });
});
