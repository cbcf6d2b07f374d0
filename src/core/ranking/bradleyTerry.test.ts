import { describe, expect, it } from 'vitest';
import { fitBradleyTerry, negativeHessian } from './bradleyTerry.ts';
import { cholesky, choleskyInverse, choleskySolve } from './cholesky.ts';
import { normalCdf, normalQuantile } from './normal.ts';
import type { PairOutcome } from './records.ts';

const pair = (i: number, j: number, pIBeatsJ: number, records = 2): PairOutcome => ({ i, j, pIBeatsJ, records, bothOrders: records > 1 });

describe('fitBradleyTerry', () => {
  const pairs = [pair(0, 1, 0.8), pair(1, 2, 0.7), pair(0, 2, 0.9), pair(2, 3, 0.4), pair(1, 3, 0.6)];

  it('puts the MAP where the log-posterior gradient vanishes, in the sum-to-zero gauge', () => {
    const fit = fitBradleyTerry(4, pairs, { priorSd: 2 });
    expect(fit.scores.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
    const gradient = fit.scores.map((s) => -s / 4);
    for (const p of pairs) {
      const r = (p.records / fit.dispersion) * (p.pIBeatsJ - 1 / (1 + Math.exp(-(fit.scores[p.i]! - fit.scores[p.j]!))));
      gradient[p.i] = gradient[p.i]! + r;
      gradient[p.j] = gradient[p.j]! - r;
    }
    gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-9));
    expect(fit.scores[0]).toBeGreaterThan(fit.scores[1]!);
    expect(fit.scores[1]).toBeGreaterThan(fit.scores[2]!);
  });

  it('reports the covariance of the centred scores: its rows sum to zero', () => {
    const fit = fitBradleyTerry(4, pairs);
    for (let r = 0; r < 4; r++) expect(Math.abs([0, 1, 2, 3].reduce((s, c) => s + fit.covariance[r * 4 + c]!, 0))).toBeLessThan(1e-12);
    fit.lower.forEach((low, i) => expect(fit.upper[i]! - fit.scores[i]!).toBeCloseTo(fit.scores[i]! - low, 12));
  });

  it('leaves an image without comparisons at the prior: score 0 and the widest interval', () => {
    const fit = fitBradleyTerry(5, pairs);
    expect(fit.scores[4]).toBeCloseTo(0, 12);
    expect(Math.max(...fit.standardErrors)).toBe(fit.standardErrors[4]);
  });

  it('narrows the intervals when the answers agree with the model (small dispersion)', () => {
    const consistent = [pair(0, 1, 0.73106), pair(1, 2, 0.73106), pair(0, 2, 0.8808)];
    const noisy = [pair(0, 1, 0.95), pair(1, 2, 0.45), pair(0, 2, 0.9)];
    const a = fitBradleyTerry(4, [...consistent, pair(2, 3, 0.5), pair(1, 3, 0.73106)]);
    const b = fitBradleyTerry(4, [...noisy, pair(2, 3, 0.5), pair(1, 3, 0.9)]);
    expect(a.dispersion).toBeLessThan(b.dispersion);
    expect(a.standardErrors[0]).toBeLessThan(b.standardErrors[0]!);
  });

  it('refuses options out of range', () => {
    expect(() => fitBradleyTerry(3, [], { priorSd: 0 })).toThrow(/options out of range/);
    expect(() => fitBradleyTerry(3, [], { level: 1 })).toThrow(/options out of range/);
    expect(() => fitBradleyTerry(3, [pair(1, 3, 0.5)])).toThrow(/images 1 and 3/);
  });
});

describe('linear algebra and the normal distribution', () => {
  it('solve and invert through Cholesky', () => {
    const hessian = negativeHessian(3, [pair(0, 1, 0.6), pair(1, 2, 0.3)], [0, 0, 0], 1, 0.25);
    const factor = cholesky(hessian, 3)!;
    const x = choleskySolve(factor, [1, 2, 3]);
    const back = [0, 1, 2].map((r) => [0, 1, 2].reduce((s, c) => s + hessian[r * 3 + c]! * x[c]!, 0));
    back.forEach((v, k) => expect(v).toBeCloseTo(k + 1, 12));
    const inverse = choleskyInverse(factor);
    expect([0, 1, 2].reduce((s, c) => s + hessian[c]! * inverse[c * 3]!, 0)).toBeCloseTo(1, 12);
    expect(cholesky(new Float64Array([1, 2, 2, 1]), 2)).toBeNull();
  });

  it('give Φ and Φ⁻¹ to the precision the intervals need', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.6448536269514729, 8);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306167813, 8);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 7);
  });
});
