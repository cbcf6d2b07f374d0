import { describe, expect, it } from 'vitest';
import { decideCapabilities, type Capabilities, type GpuAdapterReport } from '../capabilities.ts';
import type { BundleManifest, BundleVariant, GraphSpec } from './manifest.ts';
import { pickVariant } from './variantChoice.ts';

function manifest(variants: BundleVariant[]): BundleManifest {
  const graphs: GraphSpec[] = variants.flatMap((variant) =>
    (['embed_tokens', 'decoder'] as const).map((role) => ({
      role,
      variant,
      path: `onnx/${role}_${variant}.onnx`,
      externalData: [],
      inputs: [],
      outputs: [],
      requires: variant === 'q4f16' && role === 'decoder' ? (['shader-f16'] as const).slice() : [],
    })),
  );
  return { variants, graphs } as unknown as BundleManifest;
}

function caps(adapter: Partial<GpuAdapterReport> | null): Capabilities {
  const report = adapter === null ? null : ({ hasShaderF16: false, isFallbackAdapter: false, ...adapter } as GpuAdapterReport);
  return decideCapabilities({
    adapter: report,
    missingReason: adapter === null ? 'no-api' : null,
    adapterError: null,
    crossOriginIsolated: true,
    hardwareConcurrency: 8,
    deviceMemoryGiB: null,
  });
}

describe('pickVariant', () => {
  const all = manifest(['q4f16', 'q4', 'fp32']);

  it('prefers q4f16 with shader-f16, q4 on other adapters and on the CPU', () => {
    expect(pickVariant(all, caps({ hasShaderF16: true }))).toEqual({ variant: 'q4f16', backend: 'webgpu' });
    expect(pickVariant(all, caps({ hasShaderF16: false }))).toEqual({ variant: 'q4', backend: 'webgpu' });
    expect(pickVariant(all, caps(null))).toEqual({ variant: 'q4', backend: 'wasm' });
    expect(pickVariant(all, caps({ hasShaderF16: true }), { backend: 'wasm' })).toEqual({ variant: 'q4', backend: 'wasm' });
  });

  it('falls back to what the bundle has', () => {
    expect(pickVariant(manifest(['fp32']), caps({ hasShaderF16: true }))).toEqual({ variant: 'fp32', backend: 'webgpu' });
    expect(pickVariant(manifest(['q4f16', 'fp32']), caps(null))).toEqual({ variant: 'fp32', backend: 'wasm' });
  });

  it('honours a forced variant when it can run, and says why when it cannot', () => {
    expect(pickVariant(all, caps(null), { variant: 'fp32' })).toEqual({ variant: 'fp32', backend: 'wasm' });
    expect(() => pickVariant(all, caps({ hasShaderF16: false }), { variant: 'q4f16' })).toThrow(/shader-f16.*this GPU adapter lacks/);
    expect(() => pickVariant(all, caps(null), { variant: 'q4f16' })).toThrow(expect.objectContaining({ code: 'VARIANT_UNAVAILABLE' }));
    expect(() => pickVariant(manifest(['q4']), caps(null), { variant: 'fp32' })).toThrow('The bundle has no fp32 variant (it has q4).');
    expect(() => pickVariant(manifest(['q4f16']), caps(null))).toThrow(expect.objectContaining({ code: 'VARIANT_UNAVAILABLE' }));
    expect(() => pickVariant(all, caps(null), { backend: 'webgpu' })).toThrow(/no WebGPU adapter/);
  });
});
