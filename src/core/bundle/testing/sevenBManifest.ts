import type { BundleManifest, BundleVariant } from '../manifest.ts';
import { tinyLlmSpec } from './llmSpec.ts';

const file = (path: string, bytes: number) => ({ path, bytes, sha256: '0'.repeat(64) });

function graphs(variant: BundleVariant) {
  const graph = (role: 'decoder' | 'embed_tokens' | 'vision_encoder', name: string, data: string[]) => ({
    role,
    variant,
    path: `onnx/${name}_${variant}.onnx`,
    externalData: data.map((suffix) => `onnx/${name}_${variant}.onnx_data${suffix}`),
    inputs: [],
    outputs: [],
    requires: variant === 'q4f16' ? ['shader-f16' as const] : [],
  });
  return [graph('decoder', 'd', ['', '_1']), graph('embed_tokens', 'e', ['']), graph('vision_encoder', 'v', [''])];
}

/**
 * A manifest with the real Vicuna-7B / ViT-L numbers and the q4f16 file sizes the converter wrote for the 7B
 * shape; `withQ4` adds a q4 variant (fp32 scales make its decoder a little larger).
 */
export function sevenBManifest(withQ4 = false): BundleManifest {
  const variants: BundleVariant[] = withQ4 ? ['q4f16', 'q4'] : ['q4f16'];
  const files = (variant: BundleVariant, decoderExtra: number) => [
    file(`onnx/d_${variant}.onnx`, 1_000_000),
    file(`onnx/d_${variant}.onnx_data`, 2_000_000_000),
    file(`onnx/d_${variant}.onnx_data_1`, 1_820_000_000 + decoderExtra),
    file(`onnx/e_${variant}.onnx`, 500),
    file(`onnx/e_${variant}.onnx_data`, 262_144_000),
    file(`onnx/v_${variant}.onnx`, 200_000),
    file(`onnx/v_${variant}.onnx_data`, 360_000_000),
  ];
  return {
    schemaVersion: 1,
    model: { name: 'DepictQA-Wild-7B', source: 'test', template: 'depictqa-v2' },
    variants,
    llm: tinyLlmSpec({
      hiddenSize: 4096,
      intermediateSize: 11008,
      numLayers: 32,
      numHeads: 32,
      numKvHeads: 32,
      headDim: 128,
    }),
    vision: {
      architecture: 'clip-vit',
      hiddenSize: 1024,
      intermediateSize: 4096,
      numLayers: 24,
      numHeads: 16,
      layerNormEps: 1e-5,
      patchSize: 14,
      positionGrid: 16,
      preprocess: { resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70, resample: 'pil-bicubic', mean: [0, 0, 0], std: [1, 1, 1] },
      abstractor: null,
      imageTokens: { rule: 'patch-grid' },
      outputSize: 4096,
      weights: withQ4 ? { q4f16: 'int8', q4: 'int8' } : { q4f16: 'int8' },
    },
    tokenizer: { files: ['tokenizer.json'] },
    graphs: variants.flatMap(graphs),
    files: [file('tokenizer.json', 1_800_000), ...files('q4f16', 0), ...(withQ4 ? files('q4', 110_000_000) : [])],
    converter: { name: 'test', version: '0', createdAt: '2026-01-01T00:00:00Z' },
  };
}
