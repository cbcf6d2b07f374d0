import { describe, expect, it } from 'vitest';
import type { GpuAdapterReport } from '../core/capabilities.ts';
import { Engine } from './Engine.ts';
import { hasNarrowSubgroups } from './openModel.ts';
import { probeCapabilities, type ProbeScope } from './probeCapabilities.ts';

function fakeAdapter(features: string[], fallbackOnInfo: boolean | undefined): GPUAdapter {
  return {
    features: new Set(features),
    limits: { maxBufferSize: 4294967296, maxStorageBufferBindingSize: 2147483648 },
    info: {
      vendor: 'nvidia',
      architecture: 'ada',
      device: '',
      description: 'RTX',
      subgroupMinSize: 32,
      ...(fallbackOnInfo === undefined ? {} : { isFallbackAdapter: fallbackOnInfo }),
    },
    isFallbackAdapter: true,
  } as unknown as GPUAdapter;
}

function scope(gpu: Partial<GPU> | undefined, secure = true): ProbeScope {
  return {
    navigator: { ...(gpu === undefined ? {} : { gpu: gpu as GPU }), hardwareConcurrency: 4, deviceMemory: 8 },
    isSecureContext: secure,
    crossOriginIsolated: true,
  };
}

describe('probeCapabilities', () => {
  it('reads the adapter, preferring isFallbackAdapter from adapter.info', async () => {
    const result = await probeCapabilities(
      scope({ requestAdapter: async () => fakeAdapter(['shader-f16', 'subgroups'], false) }),
    );
    expect(result.adapter).toEqual({
      vendor: 'nvidia',
      architecture: 'ada',
      device: '',
      description: 'RTX',
      isFallbackAdapter: false,
      hasShaderF16: true,
      features: ['shader-f16', 'subgroups'],
      subgroupMinSize: 32,
      maxBufferSize: 4294967296,
      maxStorageBufferBindingSize: 2147483648,
    });
    expect(result).toMatchObject({ missingReason: null, hardwareConcurrency: 4, deviceMemoryGiB: 8 });
  });

  it('falls back to the older adapter.isFallbackAdapter', async () => {
    const result = await probeCapabilities(scope({ requestAdapter: async () => fakeAdapter([], undefined) }));
    expect(result.adapter?.isFallbackAdapter).toBe(true);
  });

  it('tells an insecure page from a browser without WebGPU', async () => {
    expect((await probeCapabilities(scope(undefined, false))).missingReason).toBe('insecure-context');
    expect((await probeCapabilities(scope(undefined, true))).missingReason).toBe('no-api');
  });

  it('reports a null adapter and a throwing requestAdapter without throwing', async () => {
    const none = await probeCapabilities(scope({ requestAdapter: async () => null }));
    expect(none).toMatchObject({ adapter: null, missingReason: 'no-adapter' });
    const broken = await probeCapabilities(
      scope({
        requestAdapter: async () => {
          throw new Error('GPU process crashed');
        },
      }),
    );
    expect(broken).toMatchObject({ adapter: null, missingReason: 'adapter-error', adapterError: 'GPU process crashed' });
  });
});

describe('Engine.capabilities', () => {
  it('probes once and decides the backend', async () => {
    let calls = 0;
    const unused = () => Promise.reject(new Error('capabilities() needs no runtime, bundle or decoder'));
    const engine = new Engine({
      probeScope: scope({
        requestAdapter: async () => {
          calls += 1;
          return null;
        },
      }),
      runtime: unused,
      openBundle: unused,
      decodeImage: unused,
    });
    const [first, second] = await Promise.all([engine.capabilities(), engine.capabilities()]);
    expect(first).toBe(second);
    expect(calls).toBe(1);
    expect(first).toMatchObject({ backend: 'wasm', variant: 'q4', wasmThreads: 4 });
  });
});

describe('hasNarrowSubgroups', () => {
  const adapter: GpuAdapterReport = {
    vendor: 'mesa',
    architecture: '',
    device: '',
    description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
    isFallbackAdapter: false,
    hasShaderF16: true,
    features: ['shader-f16', 'subgroups'],
    subgroupMinSize: 8,
    maxBufferSize: 2 ** 31,
    maxStorageBufferBindingSize: 2 ** 31,
  };
  const device = (features: string[], info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean }) =>
    ({ features: new Set(features), adapterInfo: info }) as unknown as GPUDevice;

  it("reads onnxruntime's device where there is one", () => {
    expect(hasNarrowSubgroups(device(['subgroups'], { subgroupMinSize: 4 }), null)).toBe(true);
    expect(hasNarrowSubgroups(device(['subgroups'], { subgroupMinSize: 32 }), adapter)).toBe(false);
    expect(hasNarrowSubgroups(device(['subgroups'], { isFallbackAdapter: true }), null)).toBe(true);
    expect(hasNarrowSubgroups(device([], { subgroupMinSize: 4 }), adapter)).toBe(false);
  });

  it('reads the probed adapter where onnxruntime keeps its device to itself (onnxruntime-node)', () => {
    expect(hasNarrowSubgroups(null, adapter)).toBe(true);
    expect(hasNarrowSubgroups(null, { ...adapter, subgroupMinSize: 16 })).toBe(false);
    expect(hasNarrowSubgroups(null, { ...adapter, subgroupMinSize: null })).toBe(false);
    expect(hasNarrowSubgroups(null, { ...adapter, subgroupMinSize: null, isFallbackAdapter: true })).toBe(true);
    expect(hasNarrowSubgroups(null, { ...adapter, features: ['shader-f16'] })).toBe(false);
    expect(hasNarrowSubgroups(null, null)).toBe(false);
  });
});
