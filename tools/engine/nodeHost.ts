/**
 * The engine in Node: onnxruntime-web's wasm EP (the browser's kernels), bundles from a folder, images decoded
 * with sharp exactly as PIL's convert("RGB"). Used by `npm run ask` and the engine tests.
 */
import { AppError } from '../../src/core/errors.ts';
import { Engine } from '../../src/engine/Engine.ts';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import { decodeImageBytes } from '../image/decode.ts';
import { nodeOrt } from '../onnx/ortNode.ts';
import { openFolderBundle } from './folderBundle.ts';

export function nodeEngineHost(overrides: Partial<EngineHost> = {}): EngineHost {
  return {
    // No WebGPU in Node: the probe finds no navigator.gpu and picks the wasm backend with one thread.
    probeScope: { navigator: { hardwareConcurrency: 1 }, isSecureContext: true, crossOriginIsolated: false },
    runtime: () => nodeOrt(),
    openBundle: async (source, { onProgress }) => {
      if (source.kind !== 'path') {
        throw new AppError('BAD_ARGUMENTS', `The Node engine reads bundles from a folder, not from a ${source.kind} source.`, {
          hint: 'Download the bundle to a folder and pass its path.',
        });
      }
      // Files are read from disk on demand, so there is nothing to select ahead.
      return openFolderBundle(source.path, { onProgress });
    },
    decodeImage: (bytes, name) => decodeImageBytes(bytes, name),
    ...overrides,
  };
}

export function createNodeEngine(overrides: Partial<EngineHost> = {}): Engine {
  return new Engine(nodeEngineHost(overrides));
}
