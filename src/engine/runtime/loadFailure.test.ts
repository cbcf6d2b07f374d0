import { describe, expect, it } from 'vitest';
import type { GraphSpec } from '../../core/bundle/manifest.ts';
import { modelLoadError } from './loadFailure.ts';

const graph = { path: 'onnx/decoder_model_merged_q4.onnx', externalData: ['onnx/decoder_model_merged_q4.onnx_data'] } as GraphSpec;
const label = '/models/bundle';

describe('modelLoadError', () => {
  it('names external data outside the bundle as a damaged or hostile bundle, from either runtime’s words', () => {
    // onnxruntime-node 1.2x, and onnxruntime-web's wasm, on a .onnx whose chunk location was rewritten.
    const node =
      'External data path validation failed for initializer: cos_cache. Error: External data path escapes model directory. External data path: "./../../../../../../../etc/passwd" resolved path: "/etc/passwd" allowed directory: "/tmp/x/bundle/onnx"';
    const web =
      'Can\'t create a session. ERROR_CODE: 1, ERROR_MESSAGE: Deserialize tensor model.layers.1.mlp.up_proj.scales failed.Failed to load external data file ""./../../../../../../../etc/passwd"", error: File not found in preloaded files.';
    for (const [backend, detail] of [['webgpu', node], ['wasm', web]] as const) {
      const error = modelLoadError(label, graph, backend, new Error(detail));
      expect(error.code).toBe('BUNDLE_UNSAFE_PATH');
      expect(error.message).toContain('reads its weights from "./../../../../../../../etc/passwd", which is not one of the bundle\'s files: the bundle is damaged or hostile');
      expect(error.message).toContain(detail);
      expect(error.hint).not.toMatch(/memory/i);
    }
  });

  it('keeps the GPU-memory hint for GPU-memory failures, and gives damaged files the damaged-bundle hint on every backend', () => {
    const memory = modelLoadError(label, graph, 'webgpu', new Error('Failed to create buffer of size 4294967296: out of memory'));
    expect(memory).toMatchObject({ code: 'MODEL_LOAD_FAILED', hint: expect.stringMatching(/lacks the memory/) });
    for (const detail of [
      "Load model from onnx/decoder_model_merged_q4.onnx failed:Protobuf parsing failed.",
      'External initializer: model.layers.0.self_attn.q_proj.weight offset: 4096 size to read: 65536 given file_length: 8192 are out of bounds or can not be read in full.',
      'This is an invalid model. In Node, ("MatMul_0", MatMul, "", -1) : ("x": tensor(float),"w": tensor(float),) -> ("y") , Error Node (MatMul_0) has input size 2 not in range [min=3, max=3].',
      // Its own chunk missing from the files handed over is damage, not a path outside the bundle.
      'Failed to load external data file ""decoder_model_merged_q4.onnx_data"", error: File not found in preloaded files.',
    ]) {
      for (const backend of ['webgpu', 'wasm'] as const) {
        const error = modelLoadError(label, graph, backend, new Error(detail));
        expect(error.code, detail).toBe('MODEL_LOAD_FAILED');
        expect(error.hint, detail).toMatch(/damaged/);
        expect(error.hint, detail).not.toMatch(/memory/i);
        expect(error.message).toBe(`${label}: ${graph.path} could not be opened on ${backend}: ${detail}`);
      }
    }
    const unknown = modelLoadError(label, graph, 'webgpu', new Error('no kernel for op Foo'));
    expect(unknown.hint).toMatch(/feature/);
    expect(unknown.hint).not.toMatch(/memory/i);
  });
});
