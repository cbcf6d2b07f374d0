import { describe, expect, it } from 'vitest';
import { argmax, linear, rmsNorm, softmaxInPlace } from './referenceMath.ts';
import { applyRotaryInPlace, rotaryCosSin, rotaryInverseFrequencies } from './rotary.ts';

describe('reference kernels', () => {
  it('argmax returns the lowest index among equal maxima', () => {
    expect(argmax([1, 3, 2, 3])).toBe(1);
    expect(argmax(new Float32Array([-5, -5]))).toBe(0);
    expect(argmax([9, 0, 4, 7, 7], 2, 3)).toBe(1);
  });

  it('softmax is stable for large logits and sums to one', () => {
    const values = Float64Array.from([1000, 1000, 999, 12345]);
    softmaxInPlace(values, 3);
    expect(values[0]).toBeCloseTo(1 / (2 + Math.exp(-1)), 15);
    expect(values[0]! + values[1]! + values[2]!).toBeCloseTo(1, 15);
    expect(values[3]).toBe(12345); // beyond `length`: untouched
  });

  it('linear multiplies by the transposed [out, in] weight', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2, 3]
    const w = Float32Array.from([1, 0, 0, 0, 1, 1]); // [2, 3]
    expect(Array.from(linear(x, w, 2, 3, 2))).toEqual([1, 5, 4, 11]);
  });

  it('rmsNorm divides by the root mean square and scales by the weight', () => {
    const y = rmsNorm(Float32Array.from([3, 4]), Float32Array.from([1, 2]), 1, 2, 0);
    const rms = Math.sqrt(12.5);
    expect(y[0]).toBeCloseTo(3 / rms, 6);
    expect(y[1]).toBeCloseTo((2 * 4) / rms, 6);
  });

  it('rotary pairs dimension i with i + d/2 (rotate_half) at angle position·theta^(-2i/d)', () => {
    const inverse = rotaryInverseFrequencies(4, 100);
    expect(Array.from(inverse)).toEqual([1, Math.fround(0.1)]);
    const row = Float32Array.from([1, 0, 0, 1]); // one head, d = 4: pairs (x0, x2) and (x1, x3)
    const { cos, sin } = rotaryCosSin(3, inverse);
    applyRotaryInPlace(row, 0, 1, 4, cos, sin);
    // Pair (1, 0) turns by 3 rad; pair (0, 1) turns by 0.3 rad.
    expect(row[0]).toBeCloseTo(Math.cos(3), 6);
    expect(row[2]).toBeCloseTo(Math.sin(3), 6);
    expect(row[1]).toBeCloseTo(-Math.sin(0.3), 6);
    expect(row[3]).toBeCloseTo(Math.cos(0.3), 6);
  });
});
