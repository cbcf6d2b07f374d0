import { describe, expect, it } from 'vitest';
import {
  backendLabel,
  decideCapabilities,
  describeCapabilities,
  wasmThreadCount,
  type GpuAdapterReport,
  type ProbeResult,
} from './capabilities.ts';

const swiftShader: GpuAdapterReport = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: '',
  description: '',
  isFallbackAdapter: true,
  hasShaderF16: false,
  features: ['subgroups', 'timestamp-query'],
  subgroupMinSize: 4,
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 30,
};

const discrete: GpuAdapterReport = {
  ...swiftShader,
  vendor: 'nvidia',
  architecture: 'ada',
  description: 'NVIDIA GeForce RTX 4090',
  isFallbackAdapter: false,
  hasShaderF16: true,
  features: ['shader-f16'],
  maxBufferSize: 2 ** 32,
  maxStorageBufferBindingSize: 2 ** 31,
};

function probe(overrides: Partial<ProbeResult>): ProbeResult {
  return {
    adapter: null,
    missingReason: 'no-adapter',
    adapterError: null,
    crossOriginIsolated: true,
    hardwareConcurrency: 16,
    deviceMemoryGiB: 8,
    ...overrides,
  };
}

describe('decideCapabilities', () => {
  it('picks WebGPU with fp16 activations when the adapter has shader-f16', () => {
    const caps = decideCapabilities(probe({ adapter: discrete, missingReason: null }));
    expect(caps).toMatchObject({ backend: 'webgpu', variant: 'q4f16' });
    expect(backendLabel(caps)).toBe('WebGPU · f16');
    expect(describeCapabilities(caps)).toEqual([expect.objectContaining({ severity: 'ok' })]);
  });

  it('picks WebGPU with fp32 activations on an adapter without shader-f16, and says it is software', () => {
    const caps = decideCapabilities(probe({ adapter: swiftShader, missingReason: null }));
    expect(caps).toMatchObject({ backend: 'webgpu', variant: 'q4' });
    expect(backendLabel(caps)).toBe('WebGPU · f32 · software');
    const notes = describeCapabilities(caps);
    expect(notes.map((note) => note.title)).toEqual(['WebGPU runs on a software adapter', 'No 16-bit float shaders']);
  });

  it('falls back to wasm with the q4 variant when there is no adapter, and explains why', () => {
    const caps = decideCapabilities(probe({}));
    expect(caps).toMatchObject({ backend: 'wasm', variant: 'q4', wasmThreads: 8 });
    expect(backendLabel(caps)).toBe('CPU · 8 threads');
    const [first] = describeCapabilities(caps);
    expect(first?.severity).toBe('error');
    expect(first?.detail).toMatch(/hardware acceleration/);
    expect(first?.detail).toMatch(/CPU/);
  });

  it.each([
    ['insecure-context', /https:\/\/ or from localhost/],
    ['no-api', /Chrome or Edge 113/],
    ['adapter-error', /requestAdapter\(\) failed: boom/],
  ] as const)('explains a missing adapter (%s)', (missingReason, expected) => {
    const caps = decideCapabilities(probe({ missingReason, adapterError: 'boom' }));
    expect(describeCapabilities(caps)[0]?.detail).toMatch(expected);
  });
});

describe('wasmThreadCount', () => {
  it('uses one thread without cross-origin isolation', () => {
    expect(wasmThreadCount(false, 16)).toBe(1);
    const caps = decideCapabilities(probe({ crossOriginIsolated: false }));
    expect(backendLabel(caps)).toBe('CPU · 1 thread');
    expect(describeCapabilities(caps).some((note) => note.title === 'CPU work runs on one thread')).toBe(true);
  });

  it('uses every core up to the cap when isolated', () => {
    expect(wasmThreadCount(true, 2)).toBe(2);
    expect(wasmThreadCount(true, 64)).toBe(8);
    expect(wasmThreadCount(true, 0)).toBe(1);
  });
});
