import { describe, expect, it } from 'vitest';
import { decodeInto, encodeFloat32, float32ToBf16Bits, float32ToFp16Bits, fp16BitsToFloat32, swapBytes } from './dtypes.ts';

describe('fp16', () => {
  it('round-trips every finite bit pattern exactly', () => {
    const mismatches: number[] = [];
    for (let bits = 0; bits < 65536; bits++) {
      const value = fp16BitsToFloat32(bits);
      if (!Number.isNaN(value) && float32ToFp16Bits(value) !== bits) mismatches.push(bits);
    }
    expect(mismatches).toEqual([]);
  });

  it('rounds to nearest even, saturates to infinity and keeps subnormals', () => {
    expect(float32ToFp16Bits(1)).toBe(0x3c00);
    expect(float32ToFp16Bits(-2)).toBe(0xc000);
    expect(float32ToFp16Bits(65504)).toBe(0x7bff);
    expect(float32ToFp16Bits(65520)).toBe(0x7c00); // halfway to the next (missing) step rounds up to inf
    expect(float32ToFp16Bits(65519)).toBe(0x7bff);
    expect(float32ToFp16Bits(2 ** -24)).toBe(0x0001);
    expect(float32ToFp16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal: even is 0
    expect(float32ToFp16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal steps: even is 2
    expect(float32ToFp16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie: even mantissa wins
    expect(float32ToFp16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float32ToFp16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(fp16BitsToFloat32(0x3555)).toBeCloseTo(0.33325195, 8);
  });
});

describe('bf16', () => {
  it('rounds to nearest even', () => {
    expect(float32ToBf16Bits(1)).toBe(0x3f80);
    expect(float32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie to even
    expect(float32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(float32ToBf16Bits(-3.5)).toBe(0xc060);
  });
});

describe('decodeInto', () => {
  it('widens F16, BF16 and F32 bytes, also from odd byte offsets', () => {
    const values = new Float32Array([1, -2.5, 0.1, 65504]);
    for (const dtype of ['F16', 'BF16', 'F32'] as const) {
      const encoded = encodeFloat32(dtype, values);
      const shifted = new Uint8Array(encoded.length + 1);
      shifted.set(encoded, 1);
      const out = new Float32Array(6);
      decodeInto(dtype, shifted.subarray(1), 4, out, 2);
      const tolerance = dtype === 'F32' ? 0 : dtype === 'F16' ? 1e-3 : 1e-2;
      for (let i = 0; i < 4; i++) expect(Math.abs((out[i + 2] as number) - (values[i] as number))).toBeLessThanOrEqual(tolerance * Math.abs(values[i] as number));
    }
  });

  it('swaps bytes per element for big-endian data', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    swapBytes(bytes, 4);
    expect([...bytes]).toEqual([4, 3, 2, 1, 8, 7, 6, 5]);
  });
});
