import { describe, expect, it } from 'vitest';
import { createRateEstimator, etaSeconds } from './rateEstimator.ts';

const MB = 1_000_000;

describe('createRateEstimator', () => {
  it('reports 0 until the window spans half a second, then the steady rate', () => {
    const rate = createRateEstimator();
    rate.record(0, 0);
    rate.record(0.1 * MB, 100);
    expect(rate.bytesPerSecond(100)).toBe(0);
    for (let t = 200; t <= 3000; t += 100) rate.record((t / 1000) * MB, t);
    expect(rate.bytesPerSecond(3000)).toBeCloseTo(MB, 6);
  });

  it('follows a change of speed within the window, not the whole-download average', () => {
    const rate = createRateEstimator({ windowMs: 2000 });
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 100) {
      rate.record(bytes, t);
      bytes += t < 5000 ? 0.1 * MB : 0.01 * MB; // 1 MB/s, then 0.1 MB/s
    }
    // The whole-download average would be 0.55 MB/s.
    expect(rate.bytesPerSecond(10_000)).toBeCloseTo(0.1 * MB, 6);
  });

  it('interpolates at the window start when samples are sparse', () => {
    const rate = createRateEstimator({ windowMs: 1000 });
    rate.record(0, 0);
    rate.record(4 * MB, 4000); // 1 MB/s on average over 4 s, one sample
    rate.record(4.5 * MB, 4500);
    // Window [3500, 4500]: 3.5 MB at 3500 by interpolation, 4.5 MB at 4500.
    expect(rate.bytesPerSecond(4500)).toBeCloseTo(MB, 6);
  });

  it('falls while a stalled connection delivers nothing, down to 0', () => {
    const rate = createRateEstimator({ windowMs: 2000 });
    for (let t = 0; t <= 4000; t += 100) rate.record((t / 1000) * MB, t);
    expect(rate.bytesPerSecond(4000)).toBeCloseTo(MB, 6);
    expect(rate.bytesPerSecond(5000)).toBeCloseTo(0.5 * MB, 6);
    expect(rate.bytesPerSecond(6500)).toBe(0);
  });

  it('treats two records at the same instant as one sample', () => {
    const rate = createRateEstimator();
    rate.record(0, 0);
    rate.record(MB, 1000);
    rate.record(2 * MB, 1000);
    expect(rate.bytesPerSecond(1000)).toBeCloseTo(2 * MB, 6);
  });
});

describe('etaSeconds', () => {
  it('divides what is left by the rate, is unknown without a rate, and 0 when done', () => {
    expect(etaSeconds(10 * MB, 2 * MB)).toBe(5);
    expect(etaSeconds(10 * MB, 0)).toBeNull();
    expect(etaSeconds(0, 0)).toBe(0);
  });
});
