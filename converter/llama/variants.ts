/**
 * The precision variants of the language-model graphs. File names follow transformers.js
 * (`onnx/decoder_model_merged_<variant>.onnx`, `onnx/embed_tokens_<variant>.onnx`).
 */
import type { ElemType } from '../onnx/onnxProto.ts';

export type LlamaVariant = 'fp32' | 'q4' | 'q4f16';
export const LLAMA_VARIANTS: readonly LlamaVariant[] = ['fp32', 'q4', 'q4f16'];

export interface VariantSpec {
  /** Activations, KV cache, norms' weights and rotary caches. */
  activation: ElemType;
  /** fp32 MatMul weights, or 4-bit MatMulNBits weights (block 32) with scales in the activation type. */
  matmul: 'float32' | 'int4';
  /**
   * The stored embedding table. fp16 for the 4-bit variants: Vicuna's checkpoint is fp16, so this is lossless
   * for the real model and half of an fp32 table (262 vs 524 MB for 7B); 4-bit rows would save another 190 MB
   * but add error at every position's input. fp32 for the fp32 variant, which is the exact reference.
   */
  embedTable: ElemType;
}

export const variantSpecs: Record<LlamaVariant, VariantSpec> = {
  fp32: { activation: 'float32', matmul: 'float32', embedTable: 'float32' },
  q4: { activation: 'float32', matmul: 'int4', embedTable: 'float16' },
  q4f16: { activation: 'float16', matmul: 'int4', embedTable: 'float16' },
};

export function decoderFileName(variant: LlamaVariant): string {
  return `decoder_model_merged_${variant}.onnx`;
}

export function embedTokensFileName(variant: LlamaVariant): string {
  return `embed_tokens_${variant}.onnx`;
}
