import { describe, expect, it } from 'vitest';
import { bootstrapIntervals } from './bootstrap.ts';
import { fitBradleyTerry } from './bradleyTerry.ts';
import { combineOrders, type ComparisonRecord } from './records.ts';
import { createObserver, drawScores } from './simulatedObserver.ts';

describe('bootstrapIntervals', () => {
  // Every pair of 10 images in both orders from a noisy observer with a lean towards Image A.
  const n = 10;
  const answer = createObserver(drawScores(n, 11, 1.5), 12, { bias: 0.5, noiseSd: 0.5 }).answer;
  const records: ComparisonRecord[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) records.push(answer({ first: i, second: j }));
  const pairs = combineOrders(records);

  it('agrees with the Laplace intervals on a well-posed ranking', () => {
    const laplace = fitBradleyTerry(n, pairs);
    const boot = bootstrapIntervals(n, pairs, { samples: 200, seed: 3 });
    const ratios = boot.standardErrors.map((se, i) => se / laplace.standardErrors[i]!);
    console.log(`bootstrap / Laplace standard errors, 10 images all pairs: ${ratios.map((r) => r.toFixed(2)).join(' ')}`);
    // Laplace assumes the quasi-binomial spread φ μ(1 − μ); a noisy observer's answers on a lopsided pair
    // spread less than that, so the bootstrap can be up to about half as wide for images at the ends.
    ratios.forEach((r) => {
      expect(r).toBeGreaterThan(0.4);
      expect(r).toBeLessThan(1.5);
    });
    laplace.scores.forEach((s, i) => {
      expect(boot.lower[i]).toBeLessThan(s);
      expect(boot.upper[i]).toBeGreaterThan(s);
    });
  });

  it('repeats itself for a seed', () => {
    expect(bootstrapIntervals(n, pairs, { samples: 20, seed: 5 })).toEqual(bootstrapIntervals(n, pairs, { samples: 20, seed: 5 }));
  });
});
