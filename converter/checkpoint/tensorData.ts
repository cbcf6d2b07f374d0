import { bytesPerElement, decodeInto, elementCount, swapBytes } from './dtypes.ts';
import { readInto, type OpenFile } from './fileAccess.ts';
import type { DType } from './types.ts';

// Bytes per read: big enough for sequential-read speed, small enough that a 500 MB tensor does not double in memory.
const CHUNK_BYTES = 16 << 20;

/**
 * Reads `count` contiguous elements at byte `position` and widens them to fp32.
 * `bigEndian` is for PyTorch checkpoints written on big-endian machines.
 */
export async function readContiguous(
  file: OpenFile,
  position: number,
  dtype: DType,
  count: number,
  what: string,
  bigEndian = false,
): Promise<Float32Array> {
  const size = bytesPerElement[dtype];
  const out = new Float32Array(count);
  const chunkElements = Math.max(1, Math.floor(CHUNK_BYTES / size));
  const scratch = Buffer.allocUnsafeSlow(Math.min(count, chunkElements) * size);
  for (let done = 0; done < count; done += chunkElements) {
    const n = Math.min(chunkElements, count - done);
    const bytes = scratch.subarray(0, n * size);
    await readInto(file, bytes, position + done * size, what);
    if (bigEndian) swapBytes(bytes, size);
    decodeInto(dtype, bytes, n, out, done);
  }
  return out;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis] as number;
  }
  return strides;
}

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  const expected = contiguousStrides(shape);
  // Strides of size-1 axes never matter (PyTorch leaves arbitrary values there).
  return shape.every((size, axis) => size === 1 || strides[axis] === expected[axis]);
}

/** The storage elements a strided view touches: [first, last] relative to its offset. */
export function stridedExtent(shape: readonly number[], strides: readonly number[]): { low: number; high: number } {
  let low = 0;
  let high = 0;
  for (let axis = 0; axis < shape.length; axis++) {
    const span = ((shape[axis] as number) - 1) * (strides[axis] as number);
    if (span < 0) low += span;
    else high += span;
  }
  return { low, high };
}

/** Copies a strided view out of `source` (whose element 0 is the view's storage offset + `base`) into row-major order. */
export function gatherStrided(source: Float32Array, base: number, shape: readonly number[], strides: readonly number[]): Float32Array {
  const out = new Float32Array(elementCount(shape));
  if (out.length === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = base;
  for (let i = 0; i < out.length; i++) {
    out[i] = source[at] as number;
    // Odometer step over the axes, last axis fastest.
    for (let axis = rank - 1; axis >= 0; axis--) {
      const stride = strides[axis] as number;
      if ((index[axis] as number) + 1 < (shape[axis] as number)) {
        index[axis] = (index[axis] as number) + 1;
        at += stride;
        break;
      }
      at -= ((shape[axis] as number) - 1) * stride;
      index[axis] = 0;
    }
  }
  return out;
}
