/**
 * GroupQueryAttention's rotary tables, cos and sin [maxPositions, headDim / 2], computed as Hugging Face's
 * LlamaRotaryEmbedding does: in fp32 (inverse frequencies, position × frequency, then cos/sin), so the angles
 * carry the same fp32 rounding the model was trained with. Rows are positions; GQA (rotary_interleaved = 0)
 * applies column j to the pair (x[j], x[j + headDim/2]), which is HF's rotate_half.
 */
export function rotaryCaches(headDim: number, maxPositions: number, theta: number): { cos: Float32Array; sin: Float32Array } {
  const half = headDim / 2;
  const inverseFrequencies = new Float32Array(half);
  for (let j = 0; j < half; j++) {
    // HF: 1.0 / (theta ** (torch.arange(0, dim, 2).float() / dim)), each step rounded to fp32.
    inverseFrequencies[j] = 1 / Math.fround(theta ** Math.fround((2 * j) / headDim));
  }
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let position = 0; position < maxPositions; position++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(position * inverseFrequencies[j]!);
      cos[position * half + j] = Math.cos(angle);
      sin[position * half + j] = Math.sin(angle);
    }
  }
  return { cos, sin };
}
