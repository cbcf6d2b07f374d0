import { AppError } from '../../src/core/errors.ts';
import type { Checkpoint, TensorEntry } from './types.ts';

/** How many of a tensor's values are NaN and how many ±Infinity. */
export function countNonFinite(data: Float32Array): { nan: number; infinite: number } {
  let nan = 0;
  let infinite = 0;
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    // v − v is 0 for every finite value and NaN for NaN and ±Infinity: one subtraction on the common path.
    if (value - value !== 0) {
      if (value !== value) nan++;
      else infinite++;
    }
  }
  return { nan, infinite };
}

/**
 * The checkpoint with every tensor's `read()` refusing non-finite values: a NaN or ±Infinity in the file is an
 * error that names the tensor, its file and the counts. Quantization would otherwise squash it into a number
 * and the converted model would silently differ from the file; fp32 would fail only at answer time.
 */
export function refusingNonFinite(checkpoint: Checkpoint): Checkpoint {
  const tensors = new Map<string, TensorEntry>();
  for (const [name, entry] of checkpoint.tensors) {
    tensors.set(name, {
      ...entry,
      read: async () => {
        const data = await entry.read();
        const { nan, infinite } = countNonFinite(data);
        if (nan + infinite > 0) throw nonFiniteError(entry, data.length, nan, infinite);
        return data;
      },
    });
  }
  return { ...checkpoint, tensors };
}

function nonFiniteError(entry: TensorEntry, count: number, nan: number, infinite: number): AppError {
  const found = [nan > 0 ? `${nan} NaN` : null, infinite > 0 ? `${infinite} infinite` : null].filter((part) => part !== null).join(' and ');
  return new AppError('CHECKPOINT_NON_FINITE', `${entry.file}: tensor "${entry.name}" [${entry.shape.join(', ')}] holds ${found} value${nan + infinite === 1 ? '' : 's'} of ${count}.`, {
    hint:
      'The file is damaged, or the model was saved after its training diverged. Download it again, or use another checkpoint: ' +
      'a model converted from it would answer with weights that are not the file’s, so nothing was written.',
  });
}
