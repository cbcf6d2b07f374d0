import type { DType } from './types.ts';

/** Bytes per element of each supported element type. */
export const bytesPerElement: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };

// Every fp16 bit pattern widened once: decoding 130M elements is then one table lookup each.
let halfTable: Float32Array | undefined;
function fp16Table(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = fp16BitsToNumber(bits);
  halfTable = table;
  return table;
}

function fp16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

const scratch = new DataView(new ArrayBuffer(4));

/** fp32 → fp16 bits, rounding to nearest even as PyTorch's `.half()` does; overflow gives ±inf. */
export function float32ToFp16Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  return fp16BitsFromFloat32Bits(scratch.getUint32(0, true));
}

/** The same, from an fp32 bit pattern (bulk conversions read a Uint32Array view). */
export function fp16BitsFromFloat32Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in, then round to nearest even.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    const rounded = full >>> shift;
    const rest = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return sign | (rounded + (rest > half || (rest === half && rounded & 1) ? 1 : 0));
  }
  const rounded = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and may reach inf).
  return sign | (rounded + (rest > 0x1000 || (rest === 0x1000 && rounded & 1) ? 1 : 0));
}

/** fp32 → bf16 bits, rounding to nearest even (PyTorch's `.bfloat16()`). */
export function float32ToBf16Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function fp16BitsToFloat32(bits: number): number {
  return fp16Table()[bits & 0xffff] as number;
}

/**
 * Widens `count` little-endian elements of `dtype` from `bytes` into `out` starting at `outOffset`.
 * `bytes` must hold at least count·size bytes.
 */
export function decodeInto(dtype: DType, bytes: Uint8Array, count: number, out: Float32Array, outOffset: number): void {
  if (dtype === 'F32') {
    // Copy through bytes: `bytes` may sit at an offset that is not 4-aligned.
    new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, count * 4).set(bytes.subarray(0, count * 4));
    return;
  }
  // A Uint16Array view needs an even byte offset; copy only when the bytes sit at an odd one.
  const words =
    bytes.byteOffset % 2 === 0
      ? new Uint16Array(bytes.buffer, bytes.byteOffset, count)
      : new Uint16Array(bytes.slice(0, count * 2).buffer);
  if (dtype === 'F16') {
    const table = fp16Table();
    for (let i = 0; i < count; i++) out[outOffset + i] = table[words[i] as number] as number;
    return;
  }
  const wide = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, count);
  for (let i = 0; i < count; i++) wide[i] = (words[i] as number) << 16;
}

/** Narrows fp32 values to `dtype`'s little-endian bytes. */
export function encodeFloat32(dtype: DType, values: Float32Array): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const words = new Uint16Array(values.length);
  const convert = dtype === 'F16' ? float32ToFp16Bits : float32ToBf16Bits;
  for (let i = 0; i < values.length; i++) words[i] = convert(values[i] as number);
  return new Uint8Array(words.buffer);
}

/** Swaps each element's bytes in place (for checkpoints written on big-endian machines). */
export function swapBytes(bytes: Uint8Array, elementSize: number): void {
  for (let i = 0; i + elementSize <= bytes.length; i += elementSize) {
    for (let a = i, b = i + elementSize - 1; a < b; a++, b--) {
      const t = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = t;
    }
  }
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}
