/**
 * Measures 4-bit quantization error, symmetric vs asymmetric (the numbers quoted in quantize.ts):
 *   npx tsx tools/bench/quantizeReport.ts
 * 1. Relative RMS error of dequantize(quantize(W)) on seeded Gaussian and Laplace matrices [1024, 4096].
 * 2. The tiny LLaMA's logits with every matrix (lm_head included) replaced by its dequantized 4-bit version,
 *    against the fp32 logits, for a 20-token prefill and 8 single-token steps. quantize.test.ts and the decoder
 *    tests check that onnxruntime's MatMulNBits computes exactly these dequantized weights.
 */
import type { LlamaConfig } from '../../converter/checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { LlamaReference } from '../oracles/llama.ts';
import { randomLlamaWeights } from '../oracles/randomLlama.ts';
import { cosine, gaussianMatrix, laplaceMatrix, relativeRmsError } from '../testing/errorMetrics.ts';
import { dequantizeMatMulNBits, quantizeMatMulNBits, type QuantizeOptions } from '../../converter/quantize.ts';
import { smallLlamaConfig } from '../../converter/llama/smallConfig.ts';

/** Every 2-D weight but the embedding table replaced by dequantize(quantize(W)): what the q4 decoder computes. */
export function dequantizedLlamaWeights(weights: ReadonlyMap<string, DenseTensor>, options: QuantizeOptions = {}): Map<string, DenseTensor> {
  const out = new Map<string, DenseTensor>();
  for (const [name, tensor] of weights) {
    if (tensor.shape.length !== 2 || name === 'model.embed_tokens.weight') {
      out.set(name, tensor);
      continue;
    }
    const [n, k] = tensor.shape as [number, number];
    out.set(name, { ...tensor, data: dequantizeMatMulNBits(quantizeMatMulNBits(tensor.data, n, k, options)) });
  }
  return out;
}

function logitsErrors(config: LlamaConfig, weights: Map<string, DenseTensor>, symmetric: boolean): { relative: number; cosine: number } {
  const ids = Array.from({ length: 28 }, (_, i) => (i * 7919 + 11) % config.vocab_size);
  const run = (source: Map<string, DenseTensor>) => {
    const model = new LlamaReference(config, source);
    const rows = [model.forwardLast(ids.slice(0, 20))];
    for (const id of ids.slice(20)) rows.push(model.forwardLast([id]));
    return rows;
  };
  const exact = run(weights);
  const quantized = run(dequantizedLlamaWeights(weights, { symmetric }));
  const relative = exact.map((row, i) => relativeRmsError(row, quantized[i]!));
  const cosines = exact.map((row, i) => cosine(row, quantized[i]!));
  return { relative: Math.max(...relative), cosine: Math.min(...cosines) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n, k] = [1024, 4096];
  for (const [label, matrix] of [
    ['Gaussian', gaussianMatrix(n * k, 1)],
    ['Laplace', laplaceMatrix(n * k, 2)],
  ] as const) {
    for (const symmetric of [true, false]) {
      const error = relativeRmsError(matrix, dequantizeMatMulNBits(quantizeMatMulNBits(matrix, n, k, { symmetric })));
      console.log(`${label} [${n}, ${k}] ${symmetric ? 'symmetric ' : 'asymmetric'}: relative RMS error ${error.toFixed(4)}`);
    }
  }
  const config = smallLlamaConfig({ max_position_embeddings: 128 });
  for (const seed of [1, 2, 3]) {
    const weights = randomLlamaWeights(config, seed);
    for (const symmetric of [true, false]) {
      const { relative, cosine: worstCosine } = logitsErrors(config, weights, symmetric);
      console.log(`tiny LLaMA seed ${seed} ${symmetric ? 'symmetric ' : 'asymmetric'}: logits relative error ≤ ${relative.toFixed(4)}, cosine ≥ ${worstCosine.toFixed(5)}`);
    }
  }
}
