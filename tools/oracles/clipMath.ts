/**
 * Kernels of the CLIP and Abstractor reference passes: fp32 tensors in and out, every sum in float64, so the only
 * rounding is the store into a Float32Array (as in referenceMath.ts, whose `linear` and softmax they build on).
 */
import { linear, softmaxInPlace } from './referenceMath.ts';

/** y = x·Wᵀ + b as nn.Linear. x [rows, inDim], weight [outDim, inDim], bias [outDim] → [rows, outDim]. */
export function linearBias(x: Float32Array, weight: Float32Array, bias: Float32Array, rows: number, inDim: number, outDim: number): Float32Array {
  const y = linear(x, weight, rows, inDim, outDim);
  for (let r = 0; r < rows; r++) for (let o = 0; o < outDim; o++) y[r * outDim + o] = y[r * outDim + o]! + bias[o]!;
  return y;
}

/** nn.LayerNorm over the last axis (biased variance). x [rows, dim] → [rows, dim]. */
export function layerNorm(x: Float32Array, weight: Float32Array, bias: Float32Array, rows: number, dim: number, eps: number): Float32Array {
  const y = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const offset = r * dim;
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += x[offset + i]!;
    const mean = sum / dim;
    let squares = 0;
    for (let i = 0; i < dim; i++) squares += (x[offset + i]! - mean) ** 2;
    const inverse = 1 / Math.sqrt(squares / dim + eps);
    for (let i = 0; i < dim; i++) y[offset + i] = (x[offset + i]! - mean) * inverse * weight[i]! + bias[i]!;
  }
  return y;
}

/** a + b elementwise (residual connections). */
export function add(a: Float32Array, b: Float32Array): Float32Array {
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i]! + b[i]!;
  return y;
}

/** CLIP's QuickGELU, x·sigmoid(1.702·x), in place. */
export function quickGeluInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! / (1 + Math.exp(-1.702 * x[i]!));
  return x;
}

export function reluInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, x[i]!);
  return x;
}

/**
 * Scaled dot-product attention over `heads` heads, no mask: softmax(q·kᵀ / √d)·v per head, as HF's CLIPAttention
 * and nn.MultiheadAttention compute it. q [queryRows, width], k and v [keyRows, width] → [queryRows, width].
 */
export function attention(q: Float32Array, k: Float32Array, v: Float32Array, queryRows: number, keyRows: number, width: number, heads: number): Float32Array {
  const d = width / heads;
  const scale = 1 / Math.sqrt(d);
  const out = new Float32Array(queryRows * width);
  const scores = new Float64Array(keyRows);
  const acc = new Float64Array(d);
  for (let h = 0; h < heads; h++) {
    const column = h * d;
    for (let i = 0; i < queryRows; i++) {
      const qRow = i * width + column;
      for (let j = 0; j < keyRows; j++) {
        const kRow = j * width + column;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[qRow + c]! * k[kRow + c]!;
        scores[j] = dot * scale;
      }
      softmaxInPlace(scores, keyRows);
      acc.fill(0);
      for (let j = 0; j < keyRows; j++) {
        const weight = scores[j]!;
        const vRow = j * width + column;
        for (let c = 0; c < d; c++) acc[c]! += weight * v[vRow + c]!;
      }
      for (let c = 0; c < d; c++) out[qRow + c] = acc[c]!;
    }
  }
  return out;
}
