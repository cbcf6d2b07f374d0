/**
 * The engine in Node, on one of two devices:
 * - `cpu`: onnxruntime-web's wasm EP (the browser's CPU kernels), one thread;
 * - `webgpu`: onnxruntime-node's WebGPU EP on the machine's GPU driver (the browser's GPU kernels), every graph
 *   but embed_tokens on the GPU, with no CPU fallback: a node the GPU cannot run fails the load instead.
 * Bundles come from a folder, and images are decoded with sharp exactly as PIL's convert("RGB").
 * Used by `npm run ask`, the benchmarks and the engine tests.
 */
import { AppError } from '../../src/core/errors.ts';
import { Engine } from '../../src/engine/Engine.ts';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import { decodeImageBytes } from '../image/decode.ts';
import { nodeOrt } from './ortNode.ts';
import { openFolderBundle } from './folderBundle.ts';
import { openEmbedderFolder } from './nodeEmbedder.ts';
import type { NodeDevice } from './nodeDevice.ts';
import { nodeGpuOrt, nodeGpuScope, nodeGraphCaptureRefusal } from './nodeGpu.ts';


export function nodeEngineHost(overrides: Partial<EngineHost> = {}, device: NodeDevice = 'cpu'): EngineHost {
  const gpu: Partial<EngineHost> =
    device === 'webgpu'
      ? {
          probeScope: nodeGpuScope(),
          runtime: async (capabilities) => (capabilities.backend === 'webgpu' ? nodeGpuOrt() : nodeOrt()),
          disableCpuFallback: true,
          graphCaptureRefusal: nodeGraphCaptureRefusal,
        }
      : {};
  return {
    // No WebGPU on the cpu device: the probe finds no navigator.gpu and picks the wasm backend with one thread.
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
    openEmbedder: openEmbedderFolder,
    ...gpu,
    ...overrides,
  };
}

export function createNodeEngine(overrides: Partial<EngineHost> = {}, device: NodeDevice = 'cpu'): Engine {
  return new Engine(nodeEngineHost(overrides, device));
}
