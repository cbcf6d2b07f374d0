import { describe, expect, it } from 'vitest';
import { fromFloat16Bits, roundToFloat16InPlace, toFloat16Bits } from './float16.ts';

describe('fp16 conversion', () => {
  it('rounds to nearest even and handles the special values', () => {
    const values = new Float32Array([0, -0, 1, -2, 65504, 65520, 1e-8, 2 ** -24, 2 ** -14, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, NaN]);
    const bits = [...toFloat16Bits(values)];
    expect(bits).toEqual([0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0000, 0x0001, 0x0400, 0x3c00, 0x3c02, 0x7c00, 0x7e00]);
  });

  it('round-trips every fp16 value exactly', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const finite = all.filter((bits) => (bits & 0x7c00) !== 0x7c00);
    expect([...toFloat16Bits(fromFloat16Bits(finite))]).toEqual([...finite]);
  });

  it('roundToFloat16InPlace equals a round trip', () => {
    const values = new Float32Array([0.1, -3.14159, 1234.5678, 1e-6]);
    const expected = fromFloat16Bits(toFloat16Bits(values));
    expect([...roundToFloat16InPlace(values)]).toEqual([...expected]);
  });
});
