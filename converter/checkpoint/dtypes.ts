import { float32ToFp16Bits, fp16BitsToFloat32, fp16Table } from '../../src/core/float16.ts';
import type { DType } from './types.ts';

export { float32ToFp16Bits, fp16BitsToFloat32 };

/** Bytes per element of each supported element type. */
export const bytesPerElement: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };

const scratch = new DataView(new ArrayBuffer(4));

/** fp32 → bf16 bits, rounding to nearest even (PyTorch's `.bfloat16()`). */
export function float32ToBf16Bits(value: number): number {
  scratch.setFloat32(0, value, true);
  const x = scratch.getUint32(0, true);
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return (x >>> 16) | 0x40;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
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
