/**
 * One Linear layer (with its bias) of a vision graph, in one of four weight precisions: fp32 or fp16 MatMul, or
 * 8- or 4-bit MatMulNBits (block 32, asymmetric with zero points). The 4-bit and fp32 forms are the language
 * model's own (../llama/linear.ts); the bias is a separate Add, an op every EP runs.
 * Several Hugging Face weights [n_i, K] can be fused along N into one node (q, k and v): rows are independent.
 */
import { attr } from '../onnx/GraphBuilder.ts';
import type { ModelWriter } from '../onnx/ModelWriter.ts';
import { roundToFloat16InPlace, toFloat16Bits } from '../onnx/float16.ts';
import type { ElemType } from '../onnx/onnxProto.ts';
import { addLinear } from '../llama/linear.ts';
import { BLOCK_SIZE, dequantizeMatMulNBits, quantizeMatMulNBits } from '../quantize.ts';
import { dequantizeMatMulNBits8, quantizeMatMulNBits8 } from './quantize8.ts';

export type VisionWeightType = 'float32' | 'float16' | 'int8' | 'int4';

export interface VisionPrecision {
  /** Activations, norms, biases and constants. */
  activation: Extract<ElemType, 'float32' | 'float16'>;
  /** How the Linear weights are stored; fp16 weights need fp16 activations. */
  weights: VisionWeightType;
}

export interface VisionLinearOptions {
  /** Prefix of the initializers' names, e.g. `vision_model.encoder.layers.0.self_attn.qkv_proj`. */
  name: string;
  input: string;
  output: string;
  /** Weights [n_i, K] (PyTorch's [out, in]), concatenated along N in this order. */
  parts: readonly Float32Array[];
  /** Biases [n_i], in the same order; omitted for a Linear without bias. */
  biases?: readonly Float32Array[];
  k: number;
}

export async function addVisionLinear(writer: ModelWriter, precision: VisionPrecision, options: VisionLinearOptions): Promise<void> {
  const { name, input, output, parts, biases, k } = options;
  const n = parts.reduce((sum, part) => sum + part.length / k, 0);
  const product = biases === undefined ? output : `${name}.matmul`;
  const g = writer.graph;
  const scaleType = precision.activation;
  if (precision.weights === 'float32' || precision.weights === 'int4') {
    const spec = { activation: precision.activation, matmul: precision.weights === 'int4' ? 'int4' : 'float32', embedTable: precision.activation } as const;
    await addLinear(writer, spec, { name, input, output: product, parts, k, symmetric: false, accuracyLevel: 0 });
  } else if (precision.weights === 'float16') {
    const weight = await writer.weight(`${name}.weight_t`, 'float16', [k, n], toFloat16Bits(transposeParts(parts, k, n)));
    g.node('MatMul', [input, weight], [product], { name: `${name}/MatMul` });
  } else {
    const quantized = parts.map((part) => quantizeMatMulNBits8(part, part.length / k, k, { scaleType }));
    const blocks = quantized[0]!.blocks;
    const packed = await writer.weight(`${name}.weight_q8`, 'uint8', [n, blocks, BLOCK_SIZE], quantized.map((q) => q.packed));
    const scaleData = quantized.map((q) => (scaleType === 'float16' ? toFloat16Bits(q.scales) : q.scales));
    const scales = await writer.weight(`${name}.scales`, scaleType, [n, blocks], scaleData);
    const zeroPoints = await writer.weight(`${name}.zero_points`, 'uint8', [n, blocks], quantized.map((q) => q.zeroPoints));
    g.node('MatMulNBits', [input, packed, scales, zeroPoints], [product], {
      domain: 'com.microsoft',
      name: `${name}/MatMulNBits`,
      attributes: { K: attr.int(k), N: attr.int(n), bits: attr.int(8), block_size: attr.int(BLOCK_SIZE), accuracy_level: attr.int(0) },
    });
  }
  if (biases !== undefined) {
    const bias = await writer.weight(`${name}.bias`, precision.activation, [n], biases.map((b) => activationData(precision, b)));
    g.node('Add', [product, bias], [output], { name: `${name}/bias` });
  }
}

/** Values as stored for the activation type (fp16 bit patterns or fp32). */
export function activationData(precision: VisionPrecision, values: Float32Array): Float32Array | Uint16Array {
  return precision.activation === 'float16' ? toFloat16Bits(values) : values;
}

/**
 * The weight [N, K] a graph of this precision computes with: what quantization (or fp16 rounding) leaves of W.
 * References of quantized graphs are built from these.
 */
export function effectiveWeight(weight: Float32Array, n: number, k: number, precision: VisionPrecision): Float32Array {
  const scaleType = precision.activation;
  switch (precision.weights) {
    case 'float32':
      return weight;
    case 'float16':
      return roundToFloat16InPlace(Float32Array.from(weight));
    case 'int8':
      return dequantizeMatMulNBits8(quantizeMatMulNBits8(weight, n, k, { scaleType }));
    case 'int4':
      return dequantizeMatMulNBits(quantizeMatMulNBits(weight, n, k, { scaleType }));
  }
}

/** Parts [n_i, K] stacked along N, transposed to MatMul's [K, N]. */
function transposeParts(parts: readonly Float32Array[], k: number, n: number): Float32Array {
  const out = new Float32Array(k * n);
  let column = 0;
  for (const part of parts) {
    const rows = part.length / k;
    for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) out[c * n + column + r] = part[r * k + c]!;
    column += rows;
  }
  return out;
}
