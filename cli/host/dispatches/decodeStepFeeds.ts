/**
 * The inputs of ONE decode step of a converter-written decoder: one new position after `pastLength` cached ones,
 * with a static KV cache of `capacity` positions (the engine's form on WebGPU) and int32 `seqlens_k` /
 * `total_sequence_length`. Derived from the graph's declared inputs, so that any layer count, width or variant
 * works; values are deterministic, so that two graphs of the same weights can be compared on their logits.
 */
import { toFloat16Bits } from '../../../converter/onnx/float16.ts';
import { mulberry32 } from '../../../src/core/seededRandom.ts';

export interface DecodeStep {
  /** Positions already in the cache (the new one is written at this index). */
  pastLength: number;
  /** Positions the static past_key_values tensors hold. */
  capacity: number;
  seed: number;
}

export const DEFAULT_DECODE_STEP: DecodeStep = { pastLength: 4, capacity: 64, seed: 5 };

/** A graph input as onnxruntime's `inputMetadata` describes it. */
export interface InputDescription {
  name: string;
  type: string;
  shape: readonly (number | string)[];
}

/** One feed as plain data, for either runtime's `Tensor`. */
export type FeedSpec =
  | { name: string; type: 'float32'; dims: number[]; data: Float32Array }
  | { name: string; type: 'float16'; dims: number[]; data: Uint16Array }
  | { name: string; type: 'int32'; dims: number[]; data: Int32Array };

export function decodeStepFeeds(inputs: readonly InputDescription[], step: DecodeStep): FeedSpec[] {
  if (step.pastLength + 1 > step.capacity) throw new Error(`a cache of ${step.capacity} positions cannot take position ${step.pastLength}`);
  const random = mulberry32(step.seed);
  const symbols: Record<string, number> = { batch_size: 1, sequence_length: 1, past_sequence_length: step.capacity };
  return inputs.map((input): FeedSpec => {
    const total = step.pastLength + 1;
    if (input.name === 'seqlens_k') return { name: input.name, type: 'int32', dims: [1], data: new Int32Array([total - 1]) };
    if (input.name === 'total_sequence_length') return { name: input.name, type: 'int32', dims: [], data: new Int32Array([total]) };
    const dims = input.shape.map((dim) => {
      const size = typeof dim === 'number' ? dim : symbols[dim];
      if (size === undefined) throw new Error(`input ${input.name}: unknown dimension "${dim}"`);
      return size;
    });
    // Uniform in [−1, 1): embeddings and cached keys/values of about a real model's scale.
    const values = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => 2 * random() - 1);
    if (input.type === 'float32') return { name: input.name, type: 'float32', dims, data: values };
    if (input.type === 'float16') return { name: input.name, type: 'float16', dims, data: toFloat16Bits(values) };
    throw new Error(`input ${input.name}: type ${input.type} is not a decoder input type`);
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
