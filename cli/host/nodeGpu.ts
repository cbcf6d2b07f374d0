/**
 * WebGPU in Node: onnxruntime-node's bundled WebGPU execution provider (Dawn over Vulkan, Metal or D3D12) runs
 * the same C++ kernels that `onnxruntime-web/webgpu` runs in the browser, compiled natively. Dawn's own Node
 * binding (the `webgpu` package) says which adapter is there and what it offers before any model is opened, so
 * the engine picks the variant exactly as in the browser (q4f16 with shader-f16, else q4).
 */
import ortNode from 'onnxruntime-node';
import { create } from 'webgpu';
import { decideCapabilities, type Capabilities } from '../../src/core/capabilities.ts';
import { probeCapabilities, type ProbeScope } from '../../src/engine/probeCapabilities.ts';
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
  const create = ortNode.InferenceSession.create.bind(ortNode.InferenceSession) as (model: Uint8Array | string, options: ortNode.InferenceSession.SessionOptions) => Promise<ortNode.InferenceSession>;
  const InferenceSession = {
    // `model` is the .onnx's bytes, or its path (onnxruntime then reads the external data beside it itself).
    create: (model: Uint8Array | string, options: ortNode.InferenceSession.SessionOptions = {}) =>
      create(model, { ...options, executionProviders: (options.executionProviders ?? ['cpu']).map((ep) => (ep === 'wasm' ? 'cpu' : ep)) }),
  };
  return { ...ortNode, InferenceSession } as unknown as Ort;
}

let captureRefusal: Promise<string> | undefined;

/**
 * Why the engine in Node runs decode steps uncaptured: onnxruntime-node's own answer to the WebGPU EP's graph
 * capture option (asked once, with an empty model, so that nothing loads), or, should it take the option, that
 * its tensors cannot be bound to buffers of its GPU device (it hands out none), which capture needs.
 */
export function nodeGraphCaptureRefusal(): Promise<string> {
  captureRefusal ??= ortNode.InferenceSession.create(new Uint8Array(8), { executionProviders: [{ name: 'webgpu', enableGraphCapture: true } as never] }).then(
    async (session) => {
      await session.release();
      return 'onnxruntime-node takes the capture option, but binds no GPU buffers of its device as inputs and outputs, which capture needs';
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      return /graph ?capture/i.test(message)
        ? `onnxruntime-node refuses the WebGPU EP's capture option: ${message}`
        : 'onnxruntime-node takes the capture option, but binds no GPU buffers of its device as inputs and outputs, which capture needs';
    },
  );
  return captureRefusal;
}

/** Whether onnxruntime-node on this platform was built with its WebGPU EP. */
export function nodeHasWebGpuEp(): boolean {
  return ortNode.listSupportedBackends().some((backend) => backend.name === 'webgpu');
}

export type NodeGpuAvailability = { capabilities: Capabilities; missing: null } | { capabilities: null; missing: string };

let probed: Promise<NodeGpuAvailability> | undefined;

/** Whether this process can run the engine on WebGPU in Node, with the adapter, or the reason it cannot (probed once). */
export function nodeGpuAvailability(): Promise<NodeGpuAvailability> {
  probed ??= (async () => {
    if (!nodeHasWebGpuEp()) return { capabilities: null, missing: `onnxruntime-node on ${process.platform}-${process.arch} has no WebGPU EP` };
    const capabilities = decideCapabilities(await probeCapabilities(nodeGpuScope()));
    if (capabilities.backend !== 'webgpu') {
      return { capabilities: null, missing: `no WebGPU adapter (${capabilities.adapterError ?? 'no GPU driver Dawn can use; on Debian: mesa-vulkan-drivers from bookworm-backports'})` };
    }
    return { capabilities, missing: null };
  })();
  return probed;
}
