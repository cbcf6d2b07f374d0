import { describe, expect, it } from 'vitest';
import { fp16BitsToFloat32 } from '../../converter/checkpoint/dtypes.ts';
import { sourceBytes } from '../../converter/checkpoint/tensorSource.ts';
import { normalQuantile } from '../../src/core/ranking/normal.ts';
import { randomSource, Xoshiro128 } from './random.ts';

describe('random weights', () => {
  it('normalQuantile matches known values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 7);
  });

  it('draws the same stream whatever the count, so an odd tail never shifts later values', () => {
    const table = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const even = new Uint32Array(3);
    const odd = new Uint32Array(3);
    new Xoshiro128(5, 'w').fillHalves(even, table, 6);
    new Xoshiro128(5, 'w').fillHalves(odd, table, 5);
    expect([...odd.slice(0, 2)]).toEqual([...even.slice(0, 2)]);
    expect(odd[2]! & 0xffff).toBe(even[2]! & 0xffff);
    expect(odd[2]! >>> 16).toBe(0);
  });

  it('depends on the seed and the tensor name, and is reproducible', () => {
    const bytes = (seed: number, name: string) => sourceBytes(randomSource(name, 'F16', [1000], { mean: 0, std: 1 }, seed));
    expect(bytes(1, 'a')).toEqual(bytes(1, 'a'));
    expect(bytes(1, 'a')).not.toEqual(bytes(2, 'a'));
    expect(bytes(1, 'a')).not.toEqual(bytes(1, 'b'));
  });

  it('samples Normal(mean, std) in fp16 and fp32', () => {
    const halves = new Uint16Array(sourceBytes(randomSource('w', 'F16', [200_001], { mean: 1, std: 0.1 }, 3)).buffer);
    const values = Array.from(halves, (bits) => fp16BitsToFloat32(bits));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(1, 2);
    expect(std).toBeCloseTo(0.1, 2);
    const floats = new Float32Array(sourceBytes(randomSource('w', 'F32', [3, 7], { mean: 0, std: 0.02 }, 3)).buffer);
    expect(floats.length).toBe(21);
    expect(Math.max(...floats.map(Math.abs))).toBeLessThan(0.02 * 4.5);
    expect(new Set(floats).size).toBeGreaterThan(15);
  });
});
