import { AppError } from '../../src/core/errors.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';

/** Tensors by their checkpoint name (Hugging Face's, or ckpt.pt's for the projector and Abstractor). */
export type VisionWeights = ReadonlyMap<string, DenseTensor>;

export interface Linear {
  weight: Float32Array; // [out, in]
  bias: Float32Array; // [out]
}

export interface ShapedReader {
  /** One tensor's values. */
  read(name: string): Float32Array;
  /** A layer's weight and bias. */
  linear(names: { weight: string; bias: string }): Linear;
}

/** A reader that checks each tensor's presence and shape against `shapes`; `what` names the model in errors. */
export function shapedReader(weights: VisionWeights, shapes: ReadonlyMap<string, number[]>, what: string): ShapedReader {
  const read = (name: string): Float32Array => {
    const shape = shapes.get(name);
    const tensor = weights.get(name);
    if (shape === undefined) throw new AppError('INTERNAL', `${what}: ${name} is not one of its tensors`);
    if (tensor === undefined) throw new AppError('CHECKPOINT_INVALID', `${what}: tensor ${name} is missing`);
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new AppError('CHECKPOINT_INVALID', `${what}: ${name} has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    return tensor.data;
  };
  return { read, linear: (names) => ({ weight: read(names.weight), bias: read(names.bias) }) };
}
