import { AppError } from '../../src/core/errors.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';

/**
 * The naive LoRA merge, for tests of the converter's own merge: W' = W + (alpha / r)·B·A, as PEFT merges a
 * LoRA Linear. weight [out, in], a (lora_A) [r, in], b (lora_B) [out, r] → [out, in]. Sums run in float64.
 */
export function referenceLoraMerge(weight: DenseTensor, a: DenseTensor, b: DenseTensor, alpha: number): DenseTensor {
  const [outDim, inDim] = weight.shape;
  const [rank, aIn] = a.shape;
  const [bOut, bRank] = b.shape;
  if (weight.shape.length !== 2 || a.shape.length !== 2 || b.shape.length !== 2 || outDim === undefined || inDim === undefined || rank === undefined) {
    throw new AppError('DELTA_SHAPE_MISMATCH', `LoRA merge: weight [${weight.shape}], A [${a.shape}] and B [${b.shape}] must all be 2-D`);
  }
  if (aIn !== inDim || bOut !== outDim || bRank !== rank || rank === 0) {
    throw new AppError('DELTA_SHAPE_MISMATCH', `LoRA merge: weight [${weight.shape}] does not fit A [${a.shape}] (want [r, ${inDim}]) and B [${b.shape}] (want [${outDim}, r])`);
  }
  const scale = alpha / rank;
  const merged = new Float32Array(outDim * inDim);
  for (let o = 0; o < outDim; o++) {
    for (let i = 0; i < inDim; i++) {
      let delta = 0;
      for (let k = 0; k < rank; k++) delta += b.data[o * rank + k]! * a.data[k * inDim + i]!;
      merged[o * inDim + i] = weight.data[o * inDim + i]! + scale * delta;
    }
  }
  return { dtype: 'F32', shape: [outDim, inDim], data: merged };
}
