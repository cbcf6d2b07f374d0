/**
 * fp32 ↔ fp16 conversion (no Float16Array before Node 22 and in older browsers). Rounds to nearest even as
 * PyTorch's `.half()` does; values beyond the fp16 range become ±inf. Used by the checkpoint readers, the ONNX
 * writer and the engine (fp16 activations and KV cache).
 */

// Every fp16 bit pattern widened once: decoding 130M elements is then one table lookup each.
let halfTable: Float32Array | undefined;
export function fp16Table(): Float32Array {
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

export function fp16BitsToFloat32(bits: number): number {
  return fp16Table()[bits & 0xffff] as number;
}

/** fp32 values → fp16 bit patterns. */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = fp16BitsFromFloat32Bits(bits[i]!);
  return out;
}

/** fp16 bit patterns → fp32 values (exact). */
export function fromFloat16Bits(half: Uint16Array): Float32Array {
  const table = fp16Table();
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = table[half[i]!]!;
  return out;
}

/** Rounds fp32 values to the nearest fp16 value, in place (to build references of fp16 weights). */
export function roundToFloat16InPlace(values: Float32Array): Float32Array {
  const table = fp16Table();
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) values[i] = table[fp16BitsFromFloat32Bits(bits[i]!)]!;
  return values;
}
