/**
 * One Linear layer of a graph variant: its weights streamed to the external data, and its node.
 * Several Hugging Face weights [n_i, K] can be fused along N into one node (e.g. q, k, v): rows are independent
 * in both layouts, so the parts are quantized one at a time and their bytes written back to back.
 */
import { attr } from '../onnx/GraphBuilder.ts';
import type { ModelWriter } from '../onnx/ModelWriter.ts';
import { toFloat16Bits } from '../onnx/float16.ts';
import { BLOCK_SIZE, quantizeMatMulNBits, type QuantizedWeight, type QuantizeOptions } from '../quantize.ts';
import type { VariantSpec } from './variants.ts';

export interface LinearOptions {
  /** Prefix of the initializers' names, e.g. `model.layers.0.self_attn.q_proj`. */
  name: string;
  input: string;
  output: string;
  /** Weights [n_i, K] (Hugging Face [out, in]), concatenated along N in this order. */
  parts: readonly Float32Array[];
  k: number;
  /** 4-bit variants: symmetric quantization (no zero points) instead of min/max with zero points. */
  symmetric: boolean;
  /** MatMulNBits accuracy_level: 0 computes in the activation type; 4 lets WebGPU quantize activations to int8. */
  accuracyLevel: number;
  /** How a part becomes MatMulNBits' B, scales and zero points; default `quantizeMatMulNBits`. */
  quantize?: Quantizer;
}

/** Quantizes W [N, K] as `quantizeMatMulNBits` does, or makes weights of that layout another way. */
export type Quantizer = (weight: Float32Array, n: number, k: number, options: QuantizeOptions) => QuantizedWeight;

export async function addLinear(writer: ModelWriter, spec: VariantSpec, options: LinearOptions): Promise<void> {
  const { name, input, output, parts, k } = options;
  const n = parts.reduce((sum, part) => sum + part.length / k, 0);
  if (spec.matmul === 'float32') {
    const weight = await writer.weight(`${name}.weight_t`, 'float32', [k, n], transposeParts(parts, k, n));
    writer.graph.node('MatMul', [input, weight], [output], { name: `${name}/MatMul` });
    return;
  }
  const quantize = options.quantize ?? quantizeMatMulNBits;
  const quantized = parts.map((part) => quantize(part, part.length / k, k, { symmetric: options.symmetric, scaleType: spec.activation === 'float16' ? 'float16' : 'float32' }));
  const blocks = quantized[0]!.blocks;
  const packed = await writer.weight(`${name}.weight_q4`, 'uint8', [n, blocks, BLOCK_SIZE / 2], quantized.map((q) => q.packed));
  const scaleType = spec.activation === 'float16' ? 'float16' : 'float32';
  const scales = await writer.weight(
    `${name}.scales`,
    scaleType,
    [n, blocks],
    quantized.map((q) => (scaleType === 'float16' ? toFloat16Bits(q.scales) : q.scales)),
  );
  const inputs = [input, packed, scales];
  if (!options.symmetric) {
    inputs.push(await writer.weight(`${name}.zero_points`, 'uint8', [n, Math.ceil(blocks / 2)], quantized.map((q) => q.zeroPoints!)));
  }
  writer.graph.node('MatMulNBits', inputs, [output], {
    domain: 'com.microsoft',
    name: `${name}/MatMulNBits`,
    attributes: {
      K: attr.int(k),
      N: attr.int(n),
      bits: attr.int(4),
      block_size: attr.int(BLOCK_SIZE),
      accuracy_level: attr.int(options.accuracyLevel),
    },
  });
}

/** Parts [n_i, K] stacked along N, transposed to MatMul's [K, N]. */
function transposeParts(parts: readonly Float32Array[], k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  let column = 0;
  for (const part of parts) {
    const rows = part.length / k;
    for (let r = 0; r < rows; r++) {
      const source = r * k;
      for (let c = 0; c < k; c++) out[c * n + column + r] = part[source + c]!;
    }
    column += rows;
  }
  return out;
}
