/** What this browser can run the model on, as the engine worker measured it. Pure data and rules. */

export type Backend = 'webgpu' | 'wasm';
export type Variant = 'q4f16' | 'q4';

/** Why no WebGPU adapter is available, when none is. */
export type WebGpuMissingReason =
  | 'insecure-context' // navigator.gpu is only exposed to https:// and localhost pages
  | 'no-api' // the browser has no WebGPU at all
  | 'no-adapter' // WebGPU exists, but the browser offered no adapter (blocklisted GPU, acceleration off)
  | 'adapter-error'; // requestAdapter() threw

export interface GpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  hasShaderF16: boolean;
  features: string[];
  /** The narrowest subgroup the adapter may run with (GPUAdapterInfo.subgroupMinSize); null where it says none. */
  subgroupMinSize: number | null;
  /** The adapter's maxima, in bytes: what a device can ask for. */
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** Raw facts from the probe, before any decision. */
export interface ProbeResult {
  adapter: GpuAdapterReport | null;
  missingReason: WebGpuMissingReason | null;
  /** The exception text when requestAdapter() threw. */
  adapterError: string | null;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** navigator.deviceMemory: a coarse, capped hint in GiB (Chromium only). */
  deviceMemoryGiB: number | null;
}

export interface Capabilities extends ProbeResult {
  backend: Backend;
  /** The bundle variant the engine picks on this backend. */
  variant: Variant;
  /** Threads of the wasm (CPU) backend; 1 when the page is not cross-origin isolated. */
  wasmThreads: number;
}

/** The wasm backend uses at most this many threads: more compete with the page and the GPU driver. */
/** Whether fp16 activations run on `backend`: WebGPU on an adapter with the shader-f16 feature. */
export function runsF16(capabilities: Pick<Capabilities, 'backend' | 'adapter'>, backend: Backend = capabilities.backend): boolean {
  return backend === 'webgpu' && capabilities.adapter?.hasShaderF16 === true;
}

/**
 * The variants in the engine's order of preference: fp16 activations halve memory traffic but need shader-f16;
 * q4 runs on any adapter and on the CPU; fp32 (exact, large) is the last resort.
 */
export function variantPreference(f16: boolean): readonly ['q4f16', 'q4', 'fp32'] | readonly ['q4', 'fp32'] {
  return f16 ? ['q4f16', 'q4', 'fp32'] : ['q4', 'fp32'];
}

export const MAX_WASM_THREADS = 8;

export function wasmThreadCount(crossOriginIsolated: boolean, hardwareConcurrency: number): number {
  if (!crossOriginIsolated) return 1; // SharedArrayBuffer, and so threads, need isolation
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(hardwareConcurrency) || 1));
}

export function decideCapabilities(probe: ProbeResult): Capabilities {
  const backend: Backend = probe.adapter === null ? 'wasm' : 'webgpu';
  const variant: Variant = variantPreference(runsF16({ backend, adapter: probe.adapter }))[0];
  return {
    ...probe,
    backend,
    variant,
    wasmThreads: wasmThreadCount(probe.crossOriginIsolated, probe.hardwareConcurrency),
  };
}

export type Severity = 'ok' | 'warn' | 'error';

export interface CapabilityNote {
  severity: Severity;
  title: string;
  detail: string;
}

/** Plain-language notes for the user, most important first. */
export function describeCapabilities(caps: Capabilities): CapabilityNote[] {
  const notes: CapabilityNote[] = [];
  const adapter = caps.adapter;
  if (adapter === null) {
    notes.push({ severity: 'error', ...missingWebGpuNote(caps.missingReason, caps.adapterError) });
  } else if (adapter.isFallbackAdapter) {
    notes.push({
      severity: 'warn',
      title: 'WebGPU runs on a software adapter',
      detail:
        'The browser offered a CPU-emulated GPU. Answers will be correct but very slow. ' +
        'Enable hardware acceleration in the browser settings or update the GPU driver to use the real GPU.',
    });
  } else {
    notes.push({
      severity: 'ok',
      title: 'WebGPU is available',
      detail: `The model runs on your GPU (${adapterLabel(adapter)}).`,
    });
  }
  if (adapter !== null && !adapter.hasShaderF16) {
    notes.push({
      severity: 'warn',
      title: 'No 16-bit float shaders',
      detail:
        'This adapter lacks the shader-f16 feature, so the engine uses 32-bit activations (the q4 variant): ' +
        'the same answers, more GPU memory and slower decoding.',
    });
  }
  if (!caps.crossOriginIsolated) {
    notes.push({
      severity: 'warn',
      title: 'CPU work runs on one thread',
      detail:
        'The page is not cross-origin isolated, so WebAssembly cannot use threads. ' +
        'Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp.',
    });
  }
  return notes;
}

function missingWebGpuNote(
  reason: WebGpuMissingReason | null,
  adapterError: string | null,
): Omit<CapabilityNote, 'severity'> {
  const fallback = 'Until then the model runs on the CPU (WebAssembly), which works but is many times slower.';
  switch (reason) {
    case 'insecure-context':
      return {
        title: 'WebGPU needs a secure page',
        detail: `Browsers offer WebGPU only to pages served over https:// or from localhost. Open the app that way. ${fallback}`,
      };
    case 'no-api':
      return {
        title: 'This browser has no WebGPU',
        detail: `Use Chrome or Edge 113 or newer (on Linux, turn on chrome://flags/#enable-unsafe-webgpu), or a recent Safari or Firefox with WebGPU enabled. ${fallback}`,
      };
    case 'adapter-error':
      return {
        title: 'The GPU adapter could not be opened',
        detail: `requestAdapter() failed${adapterError ? `: ${adapterError}` : ''}. Restart the browser or update the GPU driver. ${fallback}`,
      };
    case 'no-adapter':
    case null:
      return {
        title: 'No WebGPU adapter was offered',
        detail: `The browser supports WebGPU but offered no GPU: hardware acceleration may be off, or the GPU or driver is blocklisted. Turn on "Use graphics acceleration when available" in the browser settings, update the driver, or on Linux turn on chrome://flags/#enable-unsafe-webgpu. ${fallback}`,
      };
  }
}

export function adapterLabel(adapter: GpuAdapterReport): string {
  const parts = [adapter.vendor, adapter.architecture].filter((part) => part.length > 0);
  if (adapter.description.length > 0) return adapter.description;
  return parts.length > 0 ? parts.join(' ') : 'unnamed adapter';
}

/** A short label for the header badge, e.g. "WebGPU · f16" or "CPU · 8 threads". */
export function backendLabel(caps: Capabilities): string {
  if (caps.backend === 'wasm') {
    return `CPU · ${caps.wasmThreads} thread${caps.wasmThreads === 1 ? '' : 's'}`;
  }
  const tags = [caps.adapter?.hasShaderF16 ? 'f16' : 'f32'];
  if (caps.adapter?.isFallbackAdapter) tags.push('software');
  return `WebGPU · ${tags.join(' · ')}`;
}
