import { describe, expect, it } from 'vitest';
import { orderIsSettled, probabilityBetter, rankOrder, tiedGroups } from './order.ts';

/** A posterior with independent scores of the given standard deviations. */
const independent = (scores: number[], sds: number[]) => {
  const n = scores.length;
  const covariance = new Float64Array(n * n);
  sds.forEach((sd, i) => (covariance[i * n + i] = sd * sd));
  return { scores, covariance };
};

describe('rankOrder', () => {
  it('lists images best first, equal scores in index order', () => {
    expect(rankOrder([0.1, 2, -1, 0.1])).toEqual([1, 0, 3, 2]);
  });
});

describe('probabilityBetter', () => {
  it('is Φ(Δ / sd(Δ)), with the covariance of the two scores counted', () => {
    const fit = independent([1, 0], [0.5, 0.5]);
    expect(probabilityBetter(fit, 0, 1)).toBeCloseTo(0.9213503964748574, 6); // Φ(1 / √0.5)
    expect(probabilityBetter(fit, 1, 0)).toBeCloseTo(1 - 0.9213503964748574, 6);
    // Positively correlated scores: their difference is known better than either score.
    fit.covariance[1] = fit.covariance[2] = 0.2;
    expect(probabilityBetter(fit, 0, 1)).toBeCloseTo(0.9992172988709987, 6); // Φ(1 / √0.1)
  });
});

describe('tiedGroups', () => {
  it('starts a group wherever the image above is better with probability ≥ 0.95', () => {
    // Best to worst: 2 (3.0), 0 (2.9), 3 (1.0), 1 (-2.0); the top two cannot be told apart.
    const fit = independent([2.9, -2, 3, 1], [0.3, 0.3, 0.3, 0.3]);
    expect(tiedGroups(fit)).toEqual([[2, 0], [3], [1]]);
    expect(orderIsSettled(fit)).toBe(false);
    expect(orderIsSettled(independent([3, 2, 1], [0.1, 0.1, 0.1]))).toBe(true);
  });

  it('chains neighbours: a group may hold images whose ends are told apart', () => {
    const fit = independent([0, 0.5, 1, 1.5, 2], [0.4, 0.4, 0.4, 0.4, 0.4]);
    expect(probabilityBetter(fit, 4, 0)).toBeGreaterThan(0.99);
    expect(tiedGroups(fit)).toEqual([[4, 3, 2, 1, 0]]);
    expect(tiedGroups(fit, 0.8)).toEqual([[4], [3], [2], [1], [0]]);
  });
});
