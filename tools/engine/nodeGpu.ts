/**
 * WebGPU in Node: onnxruntime-node's bundled WebGPU execution provider (Dawn over Vulkan, Metal or D3D12) runs
 * the same C++ kernels that `onnxruntime-web/webgpu` runs in the browser, compiled natively. Dawn's own Node
 * binding (the `webgpu` package) says which adapter is there and what it offers before any model is opened, so
 * the engine picks the variant exactly as in the browser (q4f16 with shader-f16, else q4).
 */
import ortNode from 'onnxruntime-node';
import { create } from 'webgpu';
import type { ProbeScope } from '../../src/engine/probeCapabilities.ts';
import type { Ort } from '../../src/engine/runtime/graphSession.ts';

/** A probe scope whose `navigator.gpu` is Dawn's. A Dawn that cannot start shows as an adapter error. */
export function nodeGpuScope(): ProbeScope {
  let gpu: GPU;
  try {
    gpu = create([]) as GPU;
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    gpu = { requestAdapter: () => Promise.reject(failure) } as unknown as GPU;
  }
  // One thread for onnxruntime-web's wasm, should the CPU backend be chosen on this host.
  return { navigator: { gpu, hardwareConcurrency: 1 }, isSecureContext: true, crossOriginIsolated: false };
}

/**
 * onnxruntime-node in the engine's `Ort` shape. Both implement onnxruntime-common's API (sessions, tensors,
 * preferred output locations, external data); the engine's CPU sessions (embed_tokens) ask for the `wasm` EP,
 * which is onnxruntime-node's native `cpu` EP here. `env.webgpu.device` is absent: the engine then keeps the KV
 * cache in GPU tensors of the decoder's own outputs (see `OutputKvCache`).
 */
export function nodeGpuOrt(): Ort {
  const create = ortNode.InferenceSession.create.bind(ortNode.InferenceSession) as (model: Uint8Array, options: ortNode.InferenceSession.SessionOptions) => Promise<ortNode.InferenceSession>;
  const InferenceSession = {
    create: (model: Uint8Array, options: ortNode.InferenceSession.SessionOptions = {}) =>
      create(model, { ...options, executionProviders: (options.executionProviders ?? ['cpu']).map((ep) => (ep === 'wasm' ? 'cpu' : ep)) }),
  };
  return { ...ortNode, InferenceSession } as unknown as Ort;
}

/** Whether onnxruntime-node on this platform was built with its WebGPU EP. */
export function nodeHasWebGpuEp(): boolean {
  return ortNode.listSupportedBackends().some((backend) => backend.name === 'webgpu');
}
