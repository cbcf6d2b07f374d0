import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import type { MetricsImage } from '../metrics/image.ts';
import { computeDiffMap, diffReductionFactor } from './diffMap.ts';

const rgb = (width: number, height: number, pixels: number[]): MetricsImage => ({ width, height, channels: 3, data: Uint8Array.from(pixels) });

describe('computeDiffMap', () => {
  const reference = rgb(2, 2, [10, 10, 10, 0, 0, 0, 200, 100, 50, 255, 255, 255]);
  const distorted = rgb(2, 2, [10, 10, 10, 0, 0, 30, 180, 120, 50, 255, 255, 255]);

  it('takes the largest channel difference per pixel', () => {
    const map = computeDiffMap(reference, distorted, { mode: 'channel' });
    expect([...map.data]).toEqual([0, 30, 20, 0]);
    expect(map).toMatchObject({ width: 2, height: 2, factor: 1, max: 30, changedPixels: 2 });
    expect(map.mean).toBeCloseTo(12.5, 10);
  });

  it('takes |ΔY| of BT.601 luma, rounded for display', () => {
    const map = computeDiffMap(reference, distorted, { mode: 'luma' });
    // 0.114·30 = 3.42; 0.299·(−20) + 0.587·20 = 5.76
    expect([...map.data]).toEqual([0, 3, 6, 0]);
    expect(map.max).toBeCloseTo(5.76, 5);
  });

  it('gives zero everywhere for identical images', () => {
    const map = computeDiffMap(reference, rgb(2, 2, [...reference.data]), { mode: 'channel' });
    expect([...map.data]).toEqual([0, 0, 0, 0]);
    expect(map).toMatchObject({ max: 0, mean: 0, changedPixels: 0 });
  });

  it('keeps a single changed pixel when reducing, as the block maximum', () => {
    const width = 5;
    const height = 3;
    const base = new Array<number>(width * height * 3).fill(100);
    const changed = [...base];
    changed[(2 * width + 4) * 3 + 1] = 160; // pixel (4, 2), green +60
    const map = computeDiffMap(rgb(width, height, base), rgb(width, height, changed), { mode: 'channel', maxPixels: 6 });
    expect(map.factor).toBe(2);
    expect(map.width).toBe(3);
    expect(map.height).toBe(2);
    expect([...map.data]).toEqual([0, 0, 0, 0, 0, 60]);
    expect(map.changedPixels).toBe(1);
  });

  it('compares luma when one image is grey', () => {
    const grey: MetricsImage = { width: 1, height: 1, channels: 1, data: Uint8Array.from([100]) };
    const colour = rgb(1, 1, [100, 100, 100]);
    expect([...computeDiffMap(grey, colour, { mode: 'channel' }).data]).toEqual([0]);
  });

  it('refuses images of different sizes', () => {
    expect(() => computeDiffMap(reference, rgb(1, 1, [0, 0, 0]), { mode: 'luma' })).toThrow(AppError);
    expect(() => computeDiffMap(reference, rgb(1, 1, [0, 0, 0]), { mode: 'luma' })).toThrow(/1×1 against 2×2/);
  });
});

describe('diffReductionFactor', () => {
  it('is the smallest whole factor that fits the pixel budget', () => {
    expect(diffReductionFactor(100, 100, 10_000)).toBe(1);
    expect(diffReductionFactor(4000, 3000, 2048 * 2048)).toBe(2);
    expect(diffReductionFactor(101, 100, 10_000)).toBe(2);
  });
});
