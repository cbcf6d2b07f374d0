import { describe, expect, it } from 'vitest';
import type { ComparisonRecord } from '../ranking/records.ts';
import { methodStats, quantile, wilson, type MethodImage, type MetricValues } from './methodStats.ts';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Both orders of every pair of `present`, answered from latent qualities with a small per-id wobble. */
function image(id: string, present: readonly string[], quality: Record<string, number>, wobble: number, metrics?: Record<string, MetricValues>): MethodImage {
  const records: ComparisonRecord[] = [];
  for (let a = 0; a < present.length; a++) {
    for (let b = 0; b < present.length; b++) {
      if (a === b) continue;
      const p = sigmoid(quality[present[a]!]! - quality[present[b]!]! + wobble * (a - b));
      records.push({ first: a, second: b, pFirst: 0.95 * p, pSecond: 0.95 * (1 - p) });
    }
  }
  return { id, methods: present, records, ...(metrics === undefined ? {} : { metrics }) };
}

const values = (psnr: number, gmsd: number): MetricValues => ({ psnr, ssim: psnr / 100, msssim: null, gmsd });
const QUALITY = { ours: 2, swinir: 0.5, bicubic: -2 };
const METHODS = ['bicubic', 'ours', 'swinir'];

/** 12 ids; PSNR follows the latent quality, except on id 07, where it prefers SwinIR to ours. */
const IMAGES: MethodImage[] = Array.from({ length: 12 }, (_, n) => {
  const id = String(n).padStart(2, '0');
  const psnr = (method: string) => 30 + 2 * QUALITY[method as keyof typeof QUALITY] + (id === '07' && method === 'swinir' ? 5 : 0);
  const metrics = Object.fromEntries(METHODS.map((m) => [m, values(psnr(m), 0.2 - psnr(m) / 1000)]));
  return image(id, METHODS, QUALITY, 0.1 * ((n % 3) - 1), metrics);
});

describe('methodStats', () => {
  const stats = methodStats(METHODS, IMAGES, { resamples: 200 });

  it('orders the methods by their Bradley–Terry scores, with bootstrap intervals around them', () => {
    expect(stats.methods.map((m) => m.name)).toEqual(['ours', 'swinir', 'bicubic']);
    for (const method of stats.methods) {
      expect(method.low).toBeLessThanOrEqual(method.score + 1e-9);
      expect(method.high).toBeGreaterThanOrEqual(method.score - 1e-9);
    }
    expect(stats.methods.reduce((sum, m) => sum + m.score, 0)).toBeCloseTo(0, 9);
    expect(stats.images.every((row) => row.order.join() === 'ours,swinir,bicubic')).toBe(true);
  });

  it('counts wins per id, with Wilson intervals, and each method’s overall win rate', () => {
    const cell = stats.winMatrix.ours!.swinir!;
    expect(cell).toMatchObject({ rate: 1, n: 12 });
    expect(cell.low).toBeCloseTo(wilson(12, 12, 1.959963984540054).low, 6);
    expect(cell.high).toBe(1);
    expect(stats.winMatrix.swinir!.ours!.rate).toBe(0);
    expect(stats.methods.find((m) => m.name === 'swinir')!.winRate).toBe(0.5);
  });

  it('averages the metrics, measures how often they agree, and lists the confident verdicts they contradict', () => {
    const swinir = stats.methods.find((m) => m.name === 'swinir')!;
    expect(swinir.metrics.psnr).toBeCloseTo(31 + 5 / 12, 12);
    expect(swinir.metrics.msssim).toBeNull();
    // 12 ids × 3 pairs; PSNR (and SSIM, GMSD, which follow it) disagree on one of them.
    expect(stats.agreement).toEqual({ psnr: 35 / 36, ssim: 35 / 36, msssim: null, gmsd: 35 / 36 });
    expect(stats.disagreements).toHaveLength(1);
    expect(stats.disagreements[0]).toMatchObject({ id: '07', better: 'ours', worse: 'swinir' });
    expect(stats.disagreements[0]!.confidence).toBeGreaterThan(0.7);
    expect(Object.keys(stats.disagreements[0]!.metrics).sort()).toEqual(['gmsd', 'psnr', 'ssim']);
    expect(stats.disagreements[0]!.metrics.psnr).toEqual([34, 36]);
  });

  it('repeats with the same seed, and the bootstrap moves with another', () => {
    expect(methodStats(METHODS, IMAGES, { resamples: 200 })).toEqual(stats);
    const wobbly = IMAGES.map((img, n) => image(img.id, METHODS, { ...QUALITY, swinir: n % 2 === 0 ? 2 : -1 }, 0));
    const [one, two] = [1, 2].map((seed) => methodStats(METHODS, wobbly, { resamples: 200, seed }));
    expect(one!.methods.map((m) => m.low)).not.toEqual(two!.methods.map((m) => m.low));
  });

  it('leaves a method out of the ids it has no output for', () => {
    const partial = IMAGES.map((img, n) => (n < 4 ? image(img.id, ['bicubic', 'ours'], QUALITY, 0) : img));
    const result = methodStats(METHODS, partial, { resamples: 50 });
    expect(result.winMatrix.ours!.swinir!.n).toBe(8);
    expect(result.winMatrix.ours!.bicubic!.n).toBe(12);
    expect(result.images[0]!.order).toEqual(['ours', 'bicubic']);
    expect(result.agreement.psnr).not.toBeNull();
  });

  it('refuses fewer than two methods, and records that name another method', () => {
    expect(() => methodStats(['ours'], [])).toThrow(/2 or more/);
    expect(() => methodStats(METHODS, [image('x', ['ours', 'edsr'], { ours: 0, edsr: 0 }, 0)])).toThrow(/edsr is not one of the methods/);
  });
});

describe('interval helpers', () => {
  it('wilson: 7 of 10 at 95% is [0.3968, 0.8922]', () => {
    const { low, high } = wilson(7, 10, 1.959963984540054);
    expect(low).toBeCloseTo(0.396781, 5);
    expect(high).toBeCloseTo(0.892209, 5);
  });

  it('quantile interpolates between order statistics as NumPy does', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
    expect(quantile([7], 0.975)).toBe(7);
  });
});
