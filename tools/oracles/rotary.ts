/**
 * Rotary position embeddings as Hugging Face's LlamaRotaryEmbedding + apply_rotary_pos_emb:
 * non-interleaved ("rotate_half"): dimension i pairs with i + d/2, and both halves use angle pos·invFreq[i mod d/2].
 * HF computes invFreq and the angles in fp32; we round at the same places, so that at large positions our
 * angles carry the same fp32 error as the model's (the sums themselves run in float64).
 */

/** invFreq[i] = 1 / theta^(2i/d), i < d/2, rounded as HF's fp32 tensor ops round it. */
export function rotaryInverseFrequencies(headDim: number, theta: number): Float64Array {
  const half = headDim / 2;
  const inverse = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    const exponent = Math.fround((2 * i) / headDim);
    inverse[i] = Math.fround(1 / Math.fround(theta ** exponent));
  }
  return inverse;
}

/** cos and sin of the fp32 angles position·invFreq, one value per half-dimension. → two arrays [d/2]. */
export function rotaryCosSin(position: number, inverseFrequencies: Float64Array): { cos: Float64Array; sin: Float64Array } {
  const half = inverseFrequencies.length;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    const angle = Math.fround(position * inverseFrequencies[i]!);
    cos[i] = Math.fround(Math.cos(angle));
    sin[i] = Math.fround(Math.sin(angle));
  }
  return { cos, sin };
}

/**
 * Rotates every head of one row in place: x·cos + rotate_half(x)·sin, rotate_half(x) = [-x2, x1].
 * row [heads·d] (a slice of a [seq, heads·d] tensor starting at `offset`).
 */
export function applyRotaryInPlace(
  row: Float32Array,
  offset: number,
  heads: number,
  headDim: number,
  cos: Float64Array,
  sin: Float64Array,
): void {
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    const base = offset + h * headDim;
    for (let i = 0; i < half; i++) {
      const x1 = row[base + i]!;
      const x2 = row[base + half + i]!;
      row[base + i] = x1 * cos[i]! - x2 * sin[i]!;
      row[base + half + i] = x2 * cos[i]! + x1 * sin[i]!;
    }
  }
}
