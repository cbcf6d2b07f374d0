import { float32ToBf16Bits, float32ToFp16Bits } from '../../converter/checkpoint/dtypes.ts';
import { bytesPerElement, elementCount } from '../../converter/checkpoint/dtypes.ts';
import type { TensorSource } from '../../converter/checkpoint/tensorSource.ts';
import type { DType } from '../../converter/checkpoint/types.ts';
import { normalQuantile } from '../../src/core/ranking/normal.ts';

/**
 * Deterministic random weights, fast enough to write a 13 GB checkpoint at disk speed.
 * Each tensor has its own generator, seeded from (seed, tensor name), so its values do not depend on which file,
 * shard or format it lands in. Each sample is a table lookup: 16 random bits pick one of 65,536 normal quantiles
 * (already scaled and encoded in the output dtype), so values follow a normal distribution truncated at ±4.3σ.
 */

/** Normal(mean, std) as the factory's tensors use it. */
export interface Distribution {
  mean: number;
  std: number;
}

/** xoshiro128** (Blackman & Vigna): 32-bit state words, fast in JavaScript's int32 arithmetic. */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, name: string) {
    // splitmix32 over a FNV-1a hash of the name spreads any (seed, name) over the whole state.
    let h = 0x811c9dc5 ^ seed;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    const next = () => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1; // never the all-zero state
  }

  /**
   * Fills `count` 16-bit samples (packed two per word of `out`) from `table`: one 32-bit draw gives two 16-bit
   * indices. This is the hot loop of the 7B factory, so it stays monomorphic and branch-free.
   */
  fillHalves(out: Uint32Array, table: Uint16Array, count: number): void {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const words = count >>> 1;
    for (let i = 0; i < words; i++) {
      const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      out[i] = (table[r & 0xffff] as number) | ((table[r >>> 16] as number) << 16);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    if (count & 1) {
      // An odd tail: one more draw, its low half used (the high half of the last word stays zero and is not written).
      const r = this.draw();
      out[words] = table[r & 0xffff] as number;
    }
  }

  /** Fills `count` 32-bit samples from `table`, two per draw (the high half gives the odd ones). */
  fillWords(out: Uint32Array, table: Uint32Array, count: number): void {
    for (let i = 0; i < count; i += 2) {
      const r = this.draw();
      out[i] = table[r & 0xffff] as number;
      if (i + 1 < count) out[i + 1] = table[r >>> 16] as number;
    }
  }

  private draw(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let quantiles: Float64Array | undefined;
const tables = new Map<string, Uint16Array | Uint32Array>();

/** 65,536 samples of Normal(mean, std) at evenly spaced probabilities, encoded as `dtype`'s bits. */
function sampleTable(dtype: DType, { mean, std }: Distribution): Uint16Array | Uint32Array {
  const key = `${dtype}:${mean}:${std}`;
  const known = tables.get(key);
  if (known) return known;
  quantiles ??= Float64Array.from({ length: 65536 }, (_, i) => normalQuantile((i + 0.5) / 65536));
  let table: Uint16Array | Uint32Array;
  if (dtype === 'F32') {
    const values = Float32Array.from(quantiles, (z) => mean + std * z);
    table = new Uint32Array(values.buffer);
  } else {
    const encode = dtype === 'F16' ? float32ToFp16Bits : float32ToBf16Bits;
    table = Uint16Array.from(quantiles, (z) => encode(mean + std * z));
  }
  tables.set(key, table);
  return table;
}

// Chunk size: a few MB keeps writes efficient and memory flat whatever the tensor size.
const CHUNK_ELEMENTS = 4 << 20;

/** A tensor of Normal(mean, std) samples, generated chunk by chunk into one reused buffer. */
export function randomSource(name: string, dtype: DType, shape: number[], distribution: Distribution, seed: number): TensorSource {
  return {
    name,
    dtype,
    shape,
    *chunks() {
      const count = elementCount(shape);
      const table = sampleTable(dtype, distribution);
      const rng = new Xoshiro128(seed, name);
      const size = bytesPerElement[dtype];
      // Rounded up to whole 32-bit words: an odd fp16 tail still fills a word.
      const buffer = new ArrayBuffer(Math.ceil((Math.min(count, CHUNK_ELEMENTS) * size) / 4) * 4);
      const words = new Uint32Array(buffer);
      // Chunks hold an even number of elements, so the pairing of samples to draws never depends on chunking.
      for (let done = 0; done < count; done += CHUNK_ELEMENTS) {
        const n = Math.min(CHUNK_ELEMENTS, count - done);
        if (table instanceof Uint16Array) rng.fillHalves(words, table, n);
        else rng.fillWords(words, table, n);
        yield new Uint8Array(buffer, 0, n * size);
      }
    },
  };
}

/** A tensor with given values (for buffers such as rotary `inv_freq`, which are not random). */
export function valuesSource(name: string, dtype: DType, values: Float32Array): TensorSource {
  return {
    name,
    dtype,
    shape: [values.length],
    *chunks() {
      const encode = dtype === 'F16' ? float32ToFp16Bits : float32ToBf16Bits;
      if (dtype === 'F32') yield new Uint8Array(values.buffer.slice(0));
      else yield new Uint8Array(Uint16Array.from(values, (v) => encode(v)).buffer);
    },
  };
}
