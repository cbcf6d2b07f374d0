import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest.ts';
import { makeTestBundle } from './testing/testBundle.ts';
import { completeVariants, variantFiles } from './variantFiles.ts';

describe('variantFiles', () => {
  it("lists a variant's graphs, their weight chunks and the tokenizer, in manifest order", () => {
    const { manifest } = makeTestBundle();
    expect(parseManifest(manifest)).toEqual(manifest);
    expect(variantFiles(manifest, 'q4')).toEqual([
      'tokenizer.json',
      'tokenizer_config.json',
      'onnx/embed_tokens_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx',
      'onnx/decoder_model_merged_q4.onnx_data',
    ]);
    expect(variantFiles(manifest, 'fp32')).toContain('onnx/decoder_model_merged_fp32.onnx_data_1');
    expect(variantFiles(manifest, 'fp32')).not.toContain('onnx/decoder_model_merged_q4.onnx_data');
  });

  it('says which variants a set of stored files completes', () => {
    const { manifest } = makeTestBundle();
    expect(completeVariants(manifest, new Set(variantFiles(manifest, 'q4')))).toEqual(['q4']);
    expect(completeVariants(manifest, new Set(manifest.files.map((file) => file.path)))).toEqual(['q4', 'fp32']);
    const fp32 = variantFiles(manifest, 'fp32').filter((path) => !path.endsWith('_data_1'));
    expect(completeVariants(manifest, new Set(fp32))).toEqual([]);
  });
});
