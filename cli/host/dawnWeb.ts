/**
 * onnxruntime-web's WebGPU EP in Node, on Dawn's Node binding (the `webgpu` package) over the machine's GPU
 * driver (Mesa's lavapipe in CI): the browser's runtime, wasm and JavaScript alike, on a real Vulkan driver with
 * shader-f16, where headless Chromium offers only SwiftShader. Unlike onnxruntime-node it hands out its device
 * (`ort.env.webgpu.device`), so the engine keeps the KV cache in its own preallocated GPU tensors and captures the
 * decode step, as in the browser. Used by the tests of those paths.
 */
import { create, globals } from 'webgpu';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import type { ProbeScope } from '../../src/engine/probeCapabilities.ts';
import { nodeOrt } from './ortNode.ts';

let installed: GPU | undefined;

/**
 * Dawn as the process's `navigator.gpu`, which onnxruntime-web looks for, with the WebGPU globals
 * (`GPUBufferUsage`, …). Dawn's binding refuses `queue.writeBuffer` from a view of a SharedArrayBuffer, which
 * onnxruntime-web's threaded wasm heap is: such writes go through a copy.
 */
export function installDawnGpu(): GPU {
  if (installed !== undefined) return installed;
  Object.assign(globalThis, globals);
  const gpu = create([]) as GPU;
  const scope = globalThis as { navigator?: object };
  if (scope.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  const prototype = (globals as unknown as { GPUQueue: { prototype: GPUQueue } }).GPUQueue.prototype;
  const writeBuffer = prototype.writeBuffer;
  prototype.writeBuffer = function (this: GPUQueue, buffer, offset, data, dataOffset, size) {
    if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) {
      const element = 'BYTES_PER_ELEMENT' in data ? (data.BYTES_PER_ELEMENT as number) : 1;
      const start = data.byteOffset + (dataOffset ?? 0) * element;
      const bytes = size === undefined ? data.byteLength - (dataOffset ?? 0) * element : size * element;
      return writeBuffer.call(this, buffer, offset, new Uint8Array(data.buffer, start, bytes).slice());
    }
    return writeBuffer.call(this, buffer, offset, data, dataOffset, size);
  };
  installed = gpu;
  return gpu;
}

/** Host overrides that run the engine on onnxruntime-web over Dawn (for `nodeEngineHost`). */
export function dawnWebHost(): Partial<EngineHost> {
  const gpu = installDawnGpu();
  const probeScope: ProbeScope = { navigator: { gpu, hardwareConcurrency: 1 }, isSecureContext: true, crossOriginIsolated: false };
  return { probeScope, runtime: () => nodeOrt(), disableCpuFallback: true };
}
