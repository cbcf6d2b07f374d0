import { createHash } from 'node:crypto';
import { MANIFEST_SCHEMA_VERSION, type BundleManifest } from '../manifest.ts';
import { tinyLlmSpec } from './llmSpec.ts';

/**
 * A small, valid bundle in memory for the loader's and the variant rules' unit tests: two variants (q4 with one weight chunk, fp32
 * with two), shared tokenizer files, and deterministic bytes. The bytes are not ONNX: the loader never parses
 * them, and the end-to-end tests use the converter's real output.
 */
export function makeTestBundle(): { manifest: BundleManifest; files: Map<string, Uint8Array> } {
  const sizes: Record<string, number> = {
    'tokenizer.json': 3000,
    'tokenizer_config.json': 120,
    'onnx/embed_tokens_q4.onnx': 400,
    'onnx/decoder_model_merged_q4.onnx': 900,
    'onnx/decoder_model_merged_q4.onnx_data': 20_000,
    'onnx/embed_tokens_fp32.onnx': 400,
    'onnx/decoder_model_merged_fp32.onnx': 900,
    'onnx/decoder_model_merged_fp32.onnx_data': 30_000,
    'onnx/decoder_model_merged_fp32.onnx_data_1': 30_000,
  };
  const files = new Map<string, Uint8Array>();
  let seed = 1;
  for (const [path, bytes] of Object.entries(sizes)) {
    const data = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) data[i] = ((i + seed * 7919) * 2654435761) >>> 24;
    files.set(path, data);
    seed++;
  }
  const graph = (role: 'embed_tokens' | 'decoder', variant: 'q4' | 'fp32', path: string, externalData: string[]) => ({
    role,
    variant,
    path,
    externalData,
    inputs: [{ name: 'inputs_embeds', dtype: 'float32' as const, shape: ['batch_size', 'sequence_length', 64] }],
    outputs: [{ name: 'logits', dtype: 'float32' as const, shape: ['batch_size', 1, 32000] }],
    requires: [],
  });
  const manifest: BundleManifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    model: { name: 'loader-test', source: 'made in memory', template: 'depictqa-v2' },
    variants: ['q4', 'fp32'],
    llm: tinyLlmSpec(),
    tokenizer: { files: ['tokenizer.json', 'tokenizer_config.json'] },
    graphs: [
      graph('embed_tokens', 'q4', 'onnx/embed_tokens_q4.onnx', []),
      graph('decoder', 'q4', 'onnx/decoder_model_merged_q4.onnx', ['onnx/decoder_model_merged_q4.onnx_data']),
      graph('embed_tokens', 'fp32', 'onnx/embed_tokens_fp32.onnx', []),
      graph('decoder', 'fp32', 'onnx/decoder_model_merged_fp32.onnx', [
        'onnx/decoder_model_merged_fp32.onnx_data',
        'onnx/decoder_model_merged_fp32.onnx_data_1',
      ]),
    ],
    // Node's own sha256, independent of the hash-wasm hasher the loader verifies with.
    files: [...files].map(([path, data]) => ({ path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') })),
    converter: { name: 'test', version: '0', createdAt: '2026-01-01T00:00:00Z' },
  };
  return { manifest, files };
}
