/**
 * onnxruntime-node's bundled WebGPU EP (Dawn over Vulkan; on a machine without a GPU, Mesa's lavapipe): the same
 * C++ kernels onnxruntime-web/webgpu runs in a browser, so fp16 graphs can be checked where Chromium only offers
 * SwiftShader without shader-f16. Sessions disable CPU fallback, so a result really comes from WebGPU. Whether
 * this machine has an adapter at all: cli/host/nodeGpu.ts.
 */
import ort from 'onnxruntime-node';

export type NodeOrt = typeof ort;

export interface WebGpuSessionOptions {
  /** ORT's verbose log (severity 0): the WebGPU EP prints one `Starting program "…"` line per dispatch. */
  verbose?: boolean;
  /** External data chunks when `model` is bytes, as onnxruntime-web takes them. */
  externalData?: { path: string; data: Uint8Array }[];
  /** Outputs to leave on the GPU as 'gpu-buffer' tensors (e.g. the KV cache, fed back as the next past). */
  gpuOutputs?: string[];
}

export function createWebGpuSession(model: string | Uint8Array, options: WebGpuSessionOptions = {}): Promise<ort.InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['webgpu'],
    extra: { session: { disable_cpu_ep_fallback: '1' } },
    ...(options.verbose ? { logSeverityLevel: 0, logVerbosityLevel: 0 } : {}),
    ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
    ...(options.gpuOutputs === undefined ? {} : { preferredOutputLocation: Object.fromEntries(options.gpuOutputs.map((name) => [name, 'gpu-buffer'])) }),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, sessionOptions) : ort.InferenceSession.create(model, sessionOptions);
}
