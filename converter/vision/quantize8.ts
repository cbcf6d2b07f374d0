/**
 * 8-bit block quantization in the layout of onnxruntime's com.microsoft MatMulNBits with bits = 8 (the 4-bit
 * twin is ../quantize.ts, whose conventions this follows):
 *   B           uint8 [N, blocks, blockSize]   one value per byte
 *   scales      [N, blocks]                    fp32 or fp16 (the activation type)
 *   zero_points uint8 [N, blocks]              one per byte
 * Asymmetric: each block's [min, max] (widened to contain 0) maps to 0…255, dequantized = (q − zero_point) · scale.
 */
import { AppError } from '../../src/core/errors.ts';
import { roundToFloat16InPlace } from '../onnx/float16.ts';
import { BLOCK_SIZE } from '../quantize.ts';

export interface Quantized8 {
  n: number;
  k: number;
  blockSize: number;
  blocks: number; // ceil(K / blockSize)
  packed: Uint8Array; // [N, blocks, blockSize]
  scales: Float32Array; // [N, blocks], fp16-representable values when scaleType is 'float16'
  zeroPoints: Uint8Array; // [N, blocks]
}

/** Quantizes W [N, K] (row-major, a Linear weight [out, in]) to 8 bits per value. */
export function quantizeMatMulNBits8(weight: Float32Array, n: number, k: number, options: { scaleType?: 'float32' | 'float16' } = {}): Quantized8 {
  if (weight.length !== n * k) throw new AppError('INTERNAL', `quantize8: ${weight.length} values for [${n}, ${k}]`);
  const blockSize = BLOCK_SIZE;
  const blocks = Math.ceil(k / blockSize);
  const packed = new Uint8Array(n * blocks * blockSize);
  const scales = new Float32Array(n * blocks);
  const zeroPoints = new Uint8Array(n * blocks);
  const scale1 = new Float32Array(1);
  for (let row = 0; row < n; row++) {
    for (let block = 0; block < blocks; block++) {
      const start = row * k + block * blockSize;
      const end = row * k + Math.min(k, (block + 1) * blockSize);
      // 1. The block's range (always containing 0, so that 0 stays exact) → scale and zero point.
      let min = 0;
      let max = 0;
      for (let i = start; i < end; i++) {
        min = Math.min(min, weight[i]!);
        max = Math.max(max, weight[i]!);
      }
      scale1[0] = (max - min) / 255;
      if (options.scaleType === 'float16') roundToFloat16InPlace(scale1);
      const scale = scale1[0]!;
      const zeroPoint = scale === 0 ? 128 : Math.min(255, Math.max(0, Math.round(-min / scale)));
      scales[row * blocks + block] = scale;
      zeroPoints[row * blocks + block] = zeroPoint;
      // 2. Each value to its level; a padded tail (K not a multiple of the block) stays at the zero point.
      const inverse = scale === 0 ? 0 : 1 / scale;
      const blob = (row * blocks + block) * blockSize;
      for (let j = 0; j < blockSize; j++) {
        const i = start + j;
        packed[blob + j] = i < end ? Math.min(255, Math.max(0, Math.round(weight[i]! * inverse) + zeroPoint)) : zeroPoint;
      }
    }
  }
  return { n, k, blockSize, blocks, packed, scales, zeroPoints };
}

/** The weight MatMulNBits computes with: [N, K] fp32, (q − zero_point) · scale. */
export function dequantizeMatMulNBits8(quantized: Quantized8): Float32Array {
  const { n, k, blockSize, blocks, packed, scales, zeroPoints } = quantized;
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let block = 0; block < blocks; block++) {
      const scale = scales[row * blocks + block]!;
      const zeroPoint = zeroPoints[row * blocks + block]!;
      const blob = (row * blocks + block) * blockSize;
      const count = Math.min(blockSize, k - block * blockSize);
      for (let j = 0; j < count; j++) out[row * k + block * blockSize + j] = Math.fround((packed[blob + j]! - zeroPoint) * scale);
    }
  }
  return out;
}
