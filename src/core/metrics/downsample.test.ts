import { describe, expect, it } from 'vitest';
import { autoDownsampleFactor, boxDownsample, mirror } from './downsample.ts';

const plane = (width: number, height: number, values: number[]) => ({ width, height, data: Float64Array.from(values) });

describe('boxDownsample (MATLAB imfilter symmetric + subsample)', () => {
  it('f = 2 averages 2×2 blocks; an odd last row or column mirrors onto itself', () => {
    // [3, 3]
    const out = boxDownsample(plane(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]), 2);
    expect([out.width, out.height]).toEqual([2, 2]);
    expect(Array.from(out.data)).toEqual([(1 + 2 + 4 + 5) / 4, (3 + 3 + 6 + 6) / 4, (7 + 8 + 7 + 8) / 4, 9]);
  });

  it('f = 3 centres the window on each kept sample and mirrors at the first edge', () => {
    // One row: output j averages columns 3j − 1 … 3j + 1, column −1 mirrors to 0.
    const out = boxDownsample(plane(5, 1, [10, 20, 30, 40, 50]), 3);
    expect([out.width, out.height]).toEqual([2, 1]);
    // Vertically the single row mirrors onto itself, so each value is its row average.
    expect(out.data[0]).toBeCloseTo((10 + 10 + 20) / 3, 12);
    expect(out.data[1]).toBeCloseTo((30 + 40 + 50) / 3, 12);
  });

  it('f = 4 puts one sample before the kept one and two after', () => {
    const out = boxDownsample(plane(6, 1, [1, 2, 3, 4, 5, 6]), 4);
    expect(out.data[0]).toBeCloseTo((1 + 1 + 2 + 3) / 4, 12);
    expect(out.data[1]).toBeCloseTo((4 + 5 + 6 + 6) / 4, 12);
  });

  it('f = 1 returns the plane itself', () => {
    const p = plane(2, 1, [1, 2]);
    expect(boxDownsample(p, 1)).toBe(p);
  });
});

describe('autoDownsampleFactor (ssim.m: max(1, round(min(H, W) / 256)))', () => {
  it.each([
    [11, 1],
    [383, 1],
    [384, 2],
    [639, 2],
    [640, 3],
    [896, 4],
    [3000, 12],
  ])('min side %d → f = %d', (side, factor) => {
    expect(autoDownsampleFactor(side + 100, side)).toBe(factor);
    expect(autoDownsampleFactor(side, side + 100)).toBe(factor);
  });
});

describe('mirror', () => {
  it('reflects including the edge sample, repeatedly when needed', () => {
    expect([-3, -2, -1, 0, 3, 4, 5, 6].map((i) => mirror(i, 4))).toEqual([2, 1, 0, 0, 3, 3, 2, 1]);
    expect(mirror(-5, 2)).toBe(0);
  });
});
