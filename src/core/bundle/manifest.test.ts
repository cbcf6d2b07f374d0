import { describe, expect, it } from 'vitest';
import { graphsFor, MANIFEST_SCHEMA_VERSION, parseManifest, type BundleManifest } from './manifest.ts';

const hash = 'a'.repeat(64);

function validManifest(): BundleManifest {
  const decoder = 'onnx/decoder_model_merged_q4.onnx';
  const embed = 'onnx/embed_tokens_q4.onnx';
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    model: { name: 'tiny', source: 'tiny factory, seed 1', template: 'depictqa-v2' },
    variants: ['q4'],
    llm: {
      architecture: 'llama',
      hiddenSize: 64,
      intermediateSize: 192,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 4,
      headDim: 16,
      vocabSize: 32000,
      maxPositionEmbeddings: 4096,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
      bosTokenId: 1,
      eosTokenId: 2,
      lora: { rank: 16, alpha: 16 },
      logits: 'last',
    },
    tokenizer: { files: ['tokenizer.json', 'tokenizer_config.json'] },
    graphs: [
      {
        role: 'decoder',
        variant: 'q4',
        path: decoder,
        externalData: [`${decoder}_data`],
        inputs: [{ name: 'inputs_embeds', dtype: 'float32', shape: ['batch', 'sequence_length', 64] }],
        outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 1, 32000] }],
        requires: [],
      },
      {
        role: 'embed_tokens',
        variant: 'q4',
        path: embed,
        externalData: [],
        inputs: [{ name: 'input_ids', dtype: 'int64', shape: ['batch', 'sequence_length'] }],
        outputs: [{ name: 'inputs_embeds', dtype: 'float32', shape: ['batch', 'sequence_length', 64] }],
        requires: [],
      },
    ],
    files: [decoder, `${decoder}_data`, embed, 'tokenizer.json', 'tokenizer_config.json'].map((path) => ({
      path,
      bytes: 10,
      sha256: hash,
    })),
    converter: { name: 'depictqa-web convert', version: '0.1.0', createdAt: '2026-11-26T00:00:00Z' },
  };
}

describe('parseManifest', () => {
  it('accepts a complete manifest and finds graphs by variant', () => {
    const manifest = parseManifest(JSON.parse(JSON.stringify(validManifest())));
    expect(graphsFor(manifest, 'q4').get('decoder')?.path).toBe('onnx/decoder_model_merged_q4.onnx');
    expect(graphsFor(manifest, 'q4f16').size).toBe(0);
  });

  it('refuses a newer schema version and says to update the app', () => {
    const manifest = { ...validManifest(), schemaVersion: MANIFEST_SCHEMA_VERSION + 1 };
    expect(() => parseManifest(manifest)).toThrow(/schema version 2; this app reads version 1/);
    try {
      parseManifest(manifest);
    } catch (error) {
      expect(error).toMatchObject({ code: 'MANIFEST_INVALID', hint: expect.stringMatching(/update the app/) });
    }
  });

  it.each([
    ['not an object', 'hello', /\(top level\)/],
    ['a missing field', { ...validManifest(), llm: undefined }, /llm/],
    ['a bad hash', { ...validManifest(), files: [{ path: 'x', bytes: 1, sha256: 'xyz' }] }, /files\.0\.sha256/],
    [
      'a path that escapes the bundle',
      { ...validManifest(), tokenizer: { files: ['../secret'] } },
      /tokenizer\.files\.0: a relative path inside the bundle/,
    ],
  ])('refuses %s with the field it is about', (_, json, message) => {
    expect(() => parseManifest(json)).toThrow(message);
  });

  it('refuses a graph file missing from the file list', () => {
    const manifest = validManifest();
    manifest.files = manifest.files.filter((file) => !file.path.endsWith('_data'));
    expect(() => parseManifest(manifest)).toThrow(/decoder_model_merged_q4\.onnx_data is used but not listed/);
  });

  it('refuses a variant without its decoder', () => {
    const manifest = validManifest();
    manifest.graphs = manifest.graphs.filter((graph) => graph.role !== 'decoder');
    expect(() => parseManifest(manifest)).toThrow(/variant q4 has no decoder graph/);
  });
});
