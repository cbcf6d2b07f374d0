import { describe, expect, it } from 'vitest';
import { graphsFor, imageTokenCount, MANIFEST_SCHEMA_VERSION, parseManifest, type BundleManifest, type VisionSpec } from './manifest.ts';
import { tinyLlmSpec } from './testing/llmSpec.ts';
import { tinyVisionSpec } from './testing/visionSpec.ts';

const hash = 'a'.repeat(64);

function validManifest(): BundleManifest {
  const decoder = 'onnx/decoder_model_merged_q4.onnx';
  const embed = 'onnx/embed_tokens_q4.onnx';
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    model: { name: 'tiny', source: 'tiny factory, seed 1', template: 'depictqa-v2' },
    variants: ['q4'],
    llm: tinyLlmSpec(),
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

/** The valid manifest plus a vision section and the q4 vision graph. */
function withVision(): BundleManifest {
  const manifest = validManifest();
  const path = 'onnx/vision_encoder_q4.onnx';
  manifest.vision = tinyVisionSpec();
  manifest.graphs.push({
    role: 'vision_encoder',
    variant: 'q4',
    path,
    externalData: [`${path}_data`],
    inputs: [{ name: 'pixel_values', dtype: 'float32', shape: [1, 3, 'height', 'width'] }],
    outputs: [{ name: 'image_features', dtype: 'float32', shape: [1, 'num_image_tokens', 64] }],
    requires: [],
  });
  manifest.files.push({ path, bytes: 10, sha256: hash }, { path: `${path}_data`, bytes: 10, sha256: hash });
  return manifest;
}

describe('parseManifest: the vision section', () => {
  it('accepts a bundle without vision (absent or null) and one with its vision graphs', () => {
    expect(parseManifest(validManifest()).vision).toBeUndefined();
    expect(parseManifest({ ...validManifest(), vision: null }).vision).toBeNull();
    const manifest = parseManifest(JSON.parse(JSON.stringify(withVision())));
    expect(graphsFor(manifest, 'q4').get('vision_encoder')?.path).toBe('onnx/vision_encoder_q4.onnx');
    expect(manifest.vision?.preprocess.resample).toBe('pil-bicubic');
  });

  it('counts image rows by the patch grid, or by the Abstractor queries', () => {
    const vision = tinyVisionSpec();
    expect(imageTokenCount(vision, { height: 224, width: 336 })).toBe(16 * 24);
    expect(imageTokenCount(vision, { height: 70, width: 70 })).toBe(25);
    const abstractor: VisionSpec = { ...vision, abstractor: { numQueries: 64, numLayers: 4, numHeads: 8, intermediateSize: 2048 }, imageTokens: { rule: 'queries', count: 64 } };
    expect(imageTokenCount(abstractor, { height: 224, width: 672 })).toBe(64);
    expect(parseManifest({ ...withVision(), vision: abstractor }).vision?.abstractor?.numQueries).toBe(64);
  });

  it.each<[string, (manifest: BundleManifest) => void, RegExp]>([
    ['vision graphs without a vision section', (m) => (m.vision = null), /vision_encoder graphs but no "vision" section/],
    ['a variant without its vision graph', (m) => (m.graphs = m.graphs.filter((g) => g.role !== 'vision_encoder')), /variant q4 has no vision_encoder graph/],
    ['a variant without its weight type', (m) => (m.vision!.weights = { fp32: 'float32' }), /how variant q4 stores its weights/],
    ['features narrower than the LLM', (m) => (m.vision!.outputSize = 32), /outputSize 32 is not the LLM's hidden size 64/],
    ['queries without an Abstractor', (m) => (m.vision!.imageTokens = { rule: 'queries', count: 64 }), /Abstractor's query count/],
    ['an unknown resample', (m) => Object.assign(m.vision!.preprocess, { resample: 'bilinear' }), /vision\.preprocess\.resample/],
  ])('refuses %s', (_, edit, message) => {
    const manifest = withVision();
    edit(manifest);
    expect(() => parseManifest(manifest)).toThrow(message);
  });
});
