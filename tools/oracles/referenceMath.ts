/**
 * The numeric kernels of the reference forward pass. Inputs and outputs are fp32 (as the model's tensors),
 * every sum runs in float64 (JavaScript numbers), so the only rounding is the store into a Float32Array.
 */

/** y = x·Wᵀ as nn.Linear (no bias). x [rows, inDim], weight [outDim, inDim] → [rows, outDim]. */
export function linear(x: Float32Array, weight: Float32Array, rows: number, inDim: number, outDim: number): Float32Array {
  const y = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const xOffset = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wOffset = o * inDim;
      let sum = 0;
      for (let i = 0; i < inDim; i++) sum += x[xOffset + i]! * weight[wOffset + i]!;
      y[r * outDim + o] = sum;
    }
  }
  return y;
}

/**
 * LlamaRMSNorm: x / sqrt(mean(x²) + eps) · weight, row by row. x [rows, dim] → [rows, dim].
 * HF rounds the normalised row to fp32 before multiplying by the weight; so do we.
 */
export function rmsNorm(x: Float32Array, weight: Float32Array, rows: number, dim: number, eps: number): Float32Array {
  const y = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const offset = r * dim;
    let sumSquares = 0;
    for (let i = 0; i < dim; i++) sumSquares += x[offset + i]! ** 2;
    const inverseRms = 1 / Math.sqrt(sumSquares / dim + eps);
    for (let i = 0; i < dim; i++) y[offset + i] = weight[i]! * Math.fround(x[offset + i]! * inverseRms);
  }
  return y;
}

/** SiLU (x·sigmoid(x)), the LLaMA MLP's activation. */
export function silu(x: number): number {
  return x / (1 + Math.exp(-x));
}

/** Softmax in place over `values[0, length)`, in float64, shifted by the maximum for stability. */
export function softmaxInPlace(values: Float64Array, length: number): void {
  let max = -Infinity;
  for (let i = 0; i < length; i++) max = Math.max(max, values[i]!);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    values[i] = Math.exp(values[i]! - max);
    sum += values[i]!;
  }
  for (let i = 0; i < length; i++) values[i] = values[i]! / sum;
}

/** Index of the largest value; ties go to the LOWEST index (as torch.argmax on CPU and numpy.argmax). */
export function argmax(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const value = values[offset + i]!;
    // Strictly greater: a later equal value never replaces an earlier one.
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}
