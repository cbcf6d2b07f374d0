/**
 * Bulk fp32 ↔ fp16 conversion for weights and test tensors (Node 20 has no Float16Array). Rounds to nearest
 * even as PyTorch's `.half()` does; values beyond the fp16 range become ±inf.
 */

import { fp16BitsFromFloat32Bits, fp16BitsToFloat32 } from '../checkpoint/dtypes.ts';

/** fp32 values → fp16 bit patterns. */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = fp16BitsFromFloat32Bits(bits[i]!);
  return out;
}

/** fp16 bit patterns → fp32 values (exact). */
export function fromFloat16Bits(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = fp16BitsToFloat32(half[i]!);
  return out;
}

/** Rounds fp32 values to the nearest fp16 value, in place (to build references of fp16 weights). */
export function roundToFloat16InPlace(values: Float32Array): Float32Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) values[i] = fp16BitsToFloat32(fp16BitsFromFloat32Bits(bits[i]!));
  return values;
}
