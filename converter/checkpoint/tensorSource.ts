import { bytesPerElement, elementCount, encodeFloat32 } from './dtypes.ts';
import type { DenseTensor, DType } from './types.ts';

/** A tensor's name and layout, known before any data exists (writers put it in headers first). */
export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

/** A tensor to write, produced chunk by chunk so that multi-GB checkpoints never sit in memory whole. */
export interface TensorSource extends TensorSpec {
  /**
   * The tensor's bytes (little-endian, row-major) in order. A source may reuse one buffer for every chunk:
   * consumers must be done with a chunk before asking for the next.
   */
  chunks(): Iterable<Uint8Array>;
}

export function byteLength(spec: TensorSpec): number {
  return elementCount(spec.shape) * bytesPerElement[spec.dtype];
}

/** A source's bytes in one array (each chunk copied as it comes, since a source may reuse its buffer). */
export function sourceBytes(source: TensorSource): Uint8Array {
  const out = new Uint8Array(byteLength(source));
  let at = 0;
  for (const chunk of source.chunks()) {
    out.set(chunk, at);
    at += chunk.length;
  }
  if (at !== out.length) throw new RangeError(`${source.name}: its chunks hold ${at} bytes, its shape ${out.length}`);
  return out;
}

/** An in-memory tensor as a source (its values narrowed to `tensor.dtype`). */
export function denseSource(name: string, tensor: DenseTensor): TensorSource {
  if (tensor.data.length !== elementCount(tensor.shape)) {
    throw new RangeError(`${name}: ${tensor.data.length} values do not fill shape [${tensor.shape.join(', ')}]`);
  }
  return {
    name,
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    *chunks() {
      yield encodeFloat32(tensor.dtype, tensor.data);
    },
  };
}
