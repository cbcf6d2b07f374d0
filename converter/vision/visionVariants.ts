/**
 * The vision graph of each bundle variant (`onnx/vision_encoder_<variant>.onnx`, transformers.js' name) and the
 * precision of its Linear weights. The variant's name describes the language model; the vision tower keeps
 * 8-bit weights in both 4-bit variants. Measured by precisionReport.ts (graphs on the wasm EP vs the fp32 graph;
 * relative RMS error ‖x − x_fp32‖ / ‖x_fp32‖ of image_features, worst case, and cosine similarity):
 *
 *                                                  int4              int8               fp16 weights
 *   one weight matrix [4096, 1024], Gaussian       0.0808            0.0048             0.00021
 *                                   Laplace        0.0944            0.0056             0.00021
 *   tiny tower + projector, 5 sizes, fp32 act.     0.0799 (0.99683)  0.0048 (0.99999)   —
 *                                    fp16 act.     0.0798 (0.99684)  0.0048 (0.99999)   0.0004 (1.0000000)
 *   tiny tower + Abstractor + projector, fp32      0.0804 (0.99678)  0.0047 (0.99999)   —
 *   2 ViT-L-shaped layers (1024 wide, MLP 4096,    0.1076 (0.99426)  0.0063 (0.99998)   0.0005 (1.0000000)
 *     random weights) + projector to 4096, 224²
 *     (fp16 activations change these by < 1e-4)
 *
 * Choice: int8 for q4 and q4f16. 4-bit weights put a 10% error on the image rows after two ViT-L layers, and it
 * compounds over 24 (real CLIP weights have heavier tails than these random ones); 8-bit keeps it near 0.6%,
 * well under the 4-bit language model's own quantization error, for 0.16 GB more than int4 (ViT-L/14's 303 M
 * Linear weights: fp32 1.21 GB, fp16 0.61 GB, int8 0.34 GB, int4 0.18 GB). fp16 weights would be another 10×
 * closer to fp32 but cost 0.27 GB more than int8, and cannot serve q4's fp32 activations (MatMul needs equal
 * types). fp32 keeps fp32 weights: it is the exact reference.
 */
import { AppError } from '../../src/core/errors.ts';
import type { LlamaVariant } from '../llama/variants.ts';
import { BLOCK_SIZE } from '../quantize.ts';
import { positionGrid, type VisionModel } from './clipConfig.ts';
import type { VisionPrecision } from './visionLinear.ts';

export const visionVariantSpecs: Record<LlamaVariant, VisionPrecision> = {
  fp32: { activation: 'float32', weights: 'float32' },
  q4: { activation: 'float32', weights: 'int8' },
  q4f16: { activation: 'float16', weights: 'int8' },
};

export function visionEncoderFileName(variant: LlamaVariant): string {
  return `vision_encoder_${variant}.onnx`;
}

/** fp16 weights go with fp16 activations and fp32 weights with fp32 ones (MatMul needs equal types). */
export function checkPrecision(precision: VisionPrecision): void {
  if ((precision.weights === 'float16' || precision.weights === 'float32') && precision.weights !== precision.activation) {
    throw new AppError('INTERNAL', `vision graph: ${precision.weights} weights with ${precision.activation} activations`);
  }
}

const ELEMENT_BYTES = { float32: 4, float16: 2 } as const;

/**
 * Bytes a vision graph's weights take on disk, exactly as the graph stores them: fp32 patch kernel and
 * positions (the embedding stage runs in fp32), norms and biases in the activation type, Linear weights in the
 * variant's weight type (8- and 4-bit with one scale and one zero point per block of 32).
 */
export function visionWeightBytes(model: VisionModel, precision: VisionPrecision): number {
  const act = ELEMENT_BYTES[precision.activation];
  const { hidden_size: c, intermediate_size: m, patch_size: patch, num_hidden_layers: layers } = model.clip;
  const grid = positionGrid(model.clip);
  let total = 4 * (3 * patch * patch * c + grid * grid * c + c) + 2 * c * act; // kernel, positions, class row, pre-LN
  const linears: Array<[number, number]> = [[model.projection.outFeatures, c]];
  for (let i = 0; i < layers; i++) linears.push([3 * c, c], [c, c], [m, c], [c, m]);
  total += layers * 4 * c * act; // two LayerNorms per layer
  const abstractor = model.abstractor;
  if (abstractor !== null) {
    const { hiddenSize: d, intermediateSize: f } = abstractor;
    total += abstractor.numQueries * d * act + abstractor.numLayers * 6 * d * act; // queries, three LayerNorms per layer
    for (let i = 0; i < abstractor.numLayers; i++) linears.push([3 * d, d], [d, d], [d, d], [2 * d, d], [d, d], [f, d], [d, f]);
  }
  for (const [n, k] of linears) total += n * act + linearBytes(n, k, precision); // bias + weight
  return total;
}

function linearBytes(n: number, k: number, precision: VisionPrecision): number {
  const blocks = Math.ceil(k / BLOCK_SIZE);
  const scales = n * blocks * ELEMENT_BYTES[precision.activation];
  switch (precision.weights) {
    case 'float32':
      return 4 * n * k;
    case 'float16':
      return 2 * n * k;
    case 'int8':
      return n * blocks * BLOCK_SIZE + scales + n * blocks;
    case 'int4':
      return (n * blocks * BLOCK_SIZE) / 2 + scales + n * Math.ceil(blocks / 2);
  }
}
