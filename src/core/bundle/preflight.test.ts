import { describe, expect, it } from 'vitest';
import { decideCapabilities, type Capabilities, type GpuAdapterReport } from '../capabilities.ts';
import { formatBytes } from '../format.ts';
import { parseManifest } from './manifest.ts';
import { contextChoices, preflight } from './preflight.ts';
import { runnableVariants } from './variantChoice.ts';
import tinyJson from './fixtures/tinyManifest.json' with { type: 'json' };
import { sevenBManifest } from './testing/sevenBManifest.ts';

const GiB = 2 ** 30;
const tiny = parseManifest(tinyJson, 'tinyManifest.json');

/** A real GPU with shader-f16 and 2 GiB buffers, unless `adapter` says otherwise; null for no WebGPU. */
function caps(deviceMemoryGiB: number | null, adapter: Partial<GpuAdapterReport> | null = {}): Capabilities {
  return decideCapabilities({
    adapter:
      adapter === null
        ? null
        : {
            vendor: 'nvidia',
            architecture: 'ampere',
            device: '',
            description: '',
            isFallbackAdapter: false,
            hasShaderF16: true,
            features: ['shader-f16'],
            subgroupMinSize: null,
            maxBufferSize: 2 * GiB,
            maxStorageBufferBindingSize: 2 * GiB,
            ...adapter,
          },
    missingReason: adapter === null ? 'no-adapter' : null,
    adapterError: null,
    crossOriginIsolated: true,
    hardwareConcurrency: 8,
    deviceMemoryGiB,
  });
}
const swiftShader = { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true, hasShaderF16: false, features: [], maxBufferSize: GiB, maxStorageBufferBindingSize: GiB };

describe('preflight, 7B', () => {
  it('q4f16 at 2048 positions with three images: 5.04 GiB fits a device that reports the 8 GiB cap', () => {
    expect(() => parseManifest(sevenBManifest(true))).not.toThrow();
    const report = preflight(sevenBManifest(), caps(8));
    expect(report).toMatchObject({ variant: 'q4f16', backend: 'webgpu', variants: ['q4f16'], contextLength: 2048, verdict: 'fits', advice: [] });
    expect(report.contextChoices).toEqual([4096, 2048, 1024, 512]);
    expect(report.neededBytes / GiB).toBeCloseTo(5.04, 2);
    expect(report.deviceMemory).toEqual({ bytes: 8 * GiB, capped: true });
    expect(report.reason).toBe('The model needs about 5.04 GiB of GPU memory; the device reports at least 8.00 GiB.');
    // Three wide images (768 positions each) do not fit in 2048 positions.
    expect(report.notes).toEqual([
      { severity: 'info', text: 'A 2048-position context holds fewer than 3 images at the largest size (768 positions each); a square image takes 256.' },
    ]);
  });

  it('will not fit 4 GiB; shorter contexts are offered with what they need', () => {
    const report = preflight(sevenBManifest(), caps(4));
    expect(report.verdict).toBe('no-fit');
    expect(report.reason).toBe('The model needs about 5.04 GiB of GPU memory, more than the about 4.00 GiB this device reports.');
    // 1024: the cache halves (−0.5 GiB) and the attention scores halve (−32 MiB); 512: −0.25 GiB and −16 MiB more.
    expect(report.advice).toEqual([
      'A 1024-position context needs 4.51 GiB (the cache shrinks to 512 MiB).',
      'A 512-position context needs 4.24 GiB (the cache shrinks to 256 MiB).',
    ]);
  });

  it('tight on a software adapter without shader-f16: q4 instead, with its reasons, and a context that fits', () => {
    const report = preflight(sevenBManifest(true), caps(8, swiftShader));
    expect(report).toMatchObject({ variant: 'q4', variants: ['q4'], verdict: 'tight' });
    // fp32 activations: 2 GiB of cache, 4.00 GiB of weights, 0.29 GiB of activations.
    expect(report.estimate.kvCacheBytes).toBe(2 * GiB);
    expect(report.reason).toBe(`The model needs about ${formatBytes(report.neededBytes)} of GPU memory, and the device reports at least 8.00 GiB in all.`);
    expect(report.neededBytes / GiB).toBeCloseTo(6.29, 2);
    // 1024 positions: 1 GiB less cache and 64 MiB less attention scores, 5.23 GiB ≤ 70% of 8: fits, so the advice stops there.
    expect(report.advice).toEqual(['A 1024-position context needs 5.23 GiB (the cache shrinks to 1.00 GiB).']);
    expect(report.notes.map((note) => note.severity)).toEqual(['warn', 'warn', 'info']);
    expect(report.notes[0]!.text).toMatch(/^WebGPU runs on a software adapter \(such as SwiftShader\).*very slow/);
    expect(report.notes[1]!.text).toBe(
      'This adapter has no 16-bit float shaders (shader-f16), so q4 runs instead of q4f16: 32-bit activations double the KV cache and decode more slowly.',
    );
  });

  it('offers the other variant when it needs less', () => {
    const report = preflight(sevenBManifest(true), caps(8), { variant: 'q4' });
    expect(report.variants).toEqual(['q4f16', 'q4']);
    expect(report.verdict).toBe('tight');
    expect(report.advice.at(-1)).toBe(`The q4f16 variant needs ${formatBytes(preflight(sevenBManifest(true), caps(8)).neededBytes)}.`);
  });

  it('a cached bundle offers only the variants it holds in full', () => {
    const report = preflight(sevenBManifest(true), caps(8), { available: ['q4'] });
    expect(report).toMatchObject({ variant: 'q4', variants: ['q4'] });
  });

  it('a buffer larger than the adapter allows will not fit, whatever the memory', () => {
    const report = preflight(sevenBManifest(), caps(8, { maxStorageBufferBindingSize: 64 * 2 ** 20 }));
    expect(report.verdict).toBe('no-fit');
    expect(report.maxBindingBytes).toBe(64 * 2 ** 20);
    expect(report.reason).toBe("One GPU buffer would hold 70.3 MiB, more than this adapter's largest buffer (64.0 MiB).");
    // The LM head sets the size: no context length helps, and there is no other variant.
    expect(report.advice).toEqual([]);
    // A limit below the attention scores of 2048 positions (64 MiB) but above the LM head: a shorter context gets under it.
    const scores = preflight(sevenBManifest(), caps(8, { maxStorageBufferBindingSize: 72 * 2 ** 20 }), { contextLength: 4096 });
    expect(scores.verdict).toBe('no-fit');
    expect(scores.advice).toEqual(['A 2048-position context needs 5.04 GiB (the cache shrinks to 1.00 GiB).']);
  });

  it('on the CPU backend the weights must fit the 4 GiB WebAssembly heap', () => {
    const report = preflight(sevenBManifest(true), caps(8, null));
    expect(report).toMatchObject({ variant: 'q4', backend: 'wasm', verdict: 'no-fit', maxBindingBytes: null });
    expect(report.reason).toBe('The weights (4.24 GiB) are larger than the 4 GiB the CPU backend (WebAssembly) can address.');
    // A shorter context does not shrink the weights: the advice is the GPU.
    expect(report.advice).toEqual(['Open the app in a browser with WebGPU on a GPU: there the weights are not bound by the 4 GiB WebAssembly limit.']);
    expect(report.notes[0]!.text).toMatch(/^No WebGPU here: the model runs on the CPU \(WebAssembly\)/);
  });

  it('says it cannot tell when the browser reports no memory size', () => {
    const report = preflight(sevenBManifest(), caps(null));
    expect(report.verdict).toBe('unknown');
    expect(report.deviceMemory).toBeNull();
    expect(report.reason).toBe('The model needs about 5.04 GiB of GPU memory; this browser reports no memory size to compare it with.');
  });

  it('a forced q4f16 on an adapter without shader-f16 cannot run', () => {
    expect(runnableVariants(sevenBManifest(true), caps(8, { hasShaderF16: false }))).toEqual(['q4']);
    const report = preflight(sevenBManifest(true), caps(8, { hasShaderF16: false }), { variant: 'q4f16' });
    expect(report.verdict).toBe('no-fit');
    expect(report.reason).toBe('The q4f16 variant needs 16-bit float shaders (shader-f16), which this GPU adapter lacks.');
    expect(report.advice).toEqual(['Choose the q4 variant, which runs here.']);
  });
});

describe('preflight, the tiny bundle', () => {
  it('fits anywhere, and is marked as random weights', () => {
    expect(tiny.model.randomWeights).toBe(true);
    for (const capabilities of [caps(8, null), caps(0.5, swiftShader), caps(null, null)]) {
      const report = preflight(tiny, capabilities);
      expect(report).toMatchObject({ variant: 'q4', contextLength: 2048, verdict: 'fits', advice: [] });
      // Under 40 MB: 2 MiB of cache, ≈ 12 MB of vision and ≈ 18 MB of decoder activations (fp32), ≈ 6 MB of weights.
      expect(report.neededBytes).toBeLessThan(40e6);
      expect(report.estimate.kvCacheBytes).toBe(2 * 2 * 4 * 16 * 2048 * 4);
    }
    expect(preflight(tiny, caps(8, null), { contextLength: 512 }).estimate.kvCacheBytes).toBe(2 * 2 * 4 * 16 * 512 * 4);
  });
});

describe('contextChoices', () => {
  it('offers the model maximum and the standard sizes below it', () => {
    expect(contextChoices(2048)).toEqual([2048, 1024, 512]);
    expect(contextChoices(1500)).toEqual([1500, 1024, 512]);
    expect(contextChoices(300)).toEqual([300]);
  });
});
