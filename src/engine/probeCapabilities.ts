import type { GpuAdapterReport, ProbeResult } from '../core/capabilities.ts';

/** The parts of a worker's or window's global scope the probe reads. */
export interface ProbeScope {
  navigator: Partial<Pick<Navigator, 'gpu' | 'hardwareConcurrency'>> & { deviceMemory?: number };
  isSecureContext: boolean;
  crossOriginIsolated: boolean;
}

/** Asks the browser what it can run on. Never throws: a failure is part of the answer. */
export async function probeCapabilities(scope: ProbeScope = globalThis as unknown as ProbeScope): Promise<ProbeResult> {
  const base = {
    crossOriginIsolated: scope.crossOriginIsolated === true,
    hardwareConcurrency: scope.navigator.hardwareConcurrency ?? 1,
    deviceMemoryGiB: typeof scope.navigator.deviceMemory === 'number' ? scope.navigator.deviceMemory : null,
  };
  const gpu = scope.navigator.gpu;
  if (gpu === undefined) {
    const missingReason = scope.isSecureContext ? 'no-api' : 'insecure-context';
    return { ...base, adapter: null, missingReason, adapterError: null };
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) return { ...base, adapter: null, missingReason: 'no-adapter', adapterError: null };
    return { ...base, adapter: reportAdapter(adapter), missingReason: null, adapterError: null };
  } catch (error) {
    const adapterError = error instanceof Error ? error.message : String(error);
    return { ...base, adapter: null, missingReason: 'adapter-error', adapterError };
  }
}

function reportAdapter(adapter: GPUAdapter): GpuAdapterReport {
  const info = adapter.info;
  // Chromium moved isFallbackAdapter from the adapter to its info; read whichever this browser has.
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const infoFallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: infoFallback ?? legacy.isFallbackAdapter ?? false,
    hasShaderF16: adapter.features.has('shader-f16'),
    features: [...adapter.features].sort(),
    subgroupMinSize: info.subgroupMinSize ?? null,
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}
