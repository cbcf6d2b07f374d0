import type { Backend, Capabilities } from '../capabilities.ts';
import { formatBytes } from '../format.ts';
import type { BundleManifest, BundleVariant } from './manifest.ts';
import { estimateMemory, type MemoryEstimate } from './memoryEstimate.ts';
import { needsF16Reason, runnableVariants } from './variantChoice.ts';

/**
 * The check before a download: from the manifest alone, how much memory the model will take, compared with
 * what the browser tells about the machine. Browsers never report a GPU's total memory; what they do report
 * is the adapter's largest buffer and (Chromium) `navigator.deviceMemory`, a coarse hint of the RAM in GiB,
 * rounded down and capped at 8. The verdict says so rather than pretend to know more.
 */

export type PreflightVerdict = 'fits' | 'tight' | 'no-fit' | 'unknown';

/** Images a prompt holds at most (reference, A, B), each estimated at the largest size. */
export const PREFLIGHT_IMAGES = 3;
/** KV cache sizes offered, in positions; the model's own maximum is offered too. */
export const CONTEXT_CHOICES = [2048, 1024, 512] as const;
/** Up to this share of the memory hint counts as fitting: the system, the browser and the page need the rest. */
export const FITS_SHARE = 0.7;
/**
 * From this value on, `navigator.deviceMemory` is read as a lower bound: browsers round the hint down to a
 * power of two and cap it (Chromium long capped it at 8 GiB; newer versions report up to 16 or 32).
 */
export const DEVICE_MEMORY_CAP_GIB = 8;
/** onnxruntime-web's WebAssembly heap is 32-bit: every weight of the CPU backend must fit in 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Memory any device that runs a current browser has, for a model small enough not to need the hint. */
const SMALLEST_DEVICE_BYTES = 2 ** 30;
/** Above this share of the wasm heap, the weights leave little room for activations. */
const WASM_TIGHT_SHARE = 0.85;

export type NoteSeverity = 'info' | 'warn' | 'error';

export interface PreflightNote {
  severity: NoteSeverity;
  text: string;
}

export interface PreflightChoice {
  /** Forced variant; default: the one the engine would pick. */
  variant?: BundleVariant;
  /** KV cache size in positions; default: the largest of CONTEXT_CHOICES the model allows. */
  contextLength?: number;
  /** The variants the source holds in full (a cached bundle may hold one only); default: the manifest's. */
  available?: readonly BundleVariant[];
}

export interface PreflightReport {
  variant: BundleVariant;
  backend: Backend;
  /** Variants of the bundle that run in this browser, fastest first. */
  variants: BundleVariant[];
  contextLength: number;
  contextChoices: number[];
  estimate: MemoryEstimate;
  /** What the verdict weighs: GPU memory on WebGPU, main memory (weights, cache and activations) on the CPU. */
  neededBytes: number;
  /** The memory hint in bytes, null when the browser gives none; `capped`: the machine may have more. */
  deviceMemory: { bytes: number; capped: boolean } | null;
  /** The adapter's largest storage buffer binding, null on the CPU backend. */
  maxBindingBytes: number | null;
  verdict: PreflightVerdict;
  /** One sentence on why. */
  reason: string;
  /** What the user can change to need less. Empty when the model fits. */
  advice: string[];
  /** How the model will run here (CPU fallback, software adapter, no f16), most important first. */
  notes: PreflightNote[];
}

/** The context lengths to offer for a model: CONTEXT_CHOICES up to its maximum, and the maximum itself. */
export function contextChoices(maxPositions: number): number[] {
  const choices = new Set<number>([maxPositions, ...CONTEXT_CHOICES.filter((length) => length <= maxPositions)]);
  return [...choices].sort((a, b) => b - a);
}

export function preflight(manifest: BundleManifest, capabilities: Capabilities, choice: PreflightChoice = {}): PreflightReport {
  const backend = capabilities.backend;
  const variants = runnableVariants(manifest, capabilities).filter((variant) => choice.available?.includes(variant) ?? true);
  const choices = contextChoices(manifest.llm.maxPositionEmbeddings);
  const contextLength = choice.contextLength ?? choices.find((length) => length <= CONTEXT_CHOICES[0]) ?? choices[0]!;
  // With nothing runnable, the estimate is of the bundle's first variant, and the verdict says it cannot run.
  const variant = choice.variant ?? variants[0] ?? manifest.variants[0]!;
  const measure = (v: BundleVariant, context: number) => {
    const estimate = estimateMemory(manifest, { variant: v, contextLength: context, images: PREFLIGHT_IMAGES });
    return { estimate, needed: backend === 'webgpu' ? estimate.gpuTotalBytes : estimate.gpuTotalBytes + estimate.cpuWeightBytes };
  };
  const { estimate, needed } = measure(variant, contextLength);
  const deviceMemory =
    capabilities.deviceMemoryGiB === null ? null : { bytes: capabilities.deviceMemoryGiB * 2 ** 30, capped: capabilities.deviceMemoryGiB >= DEVICE_MEMORY_CAP_GIB };
  const maxBindingBytes = backend === 'webgpu' && capabilities.adapter !== null ? Math.min(capabilities.adapter.maxStorageBufferBindingSize, capabilities.adapter.maxBufferSize) : null;

  const judge = (e: MemoryEstimate, need: number) => judgeMemory(e, need, backend, deviceMemory, maxBindingBytes);
  const judged = judge(estimate, needed);
  /** What the user can change, for what limits the model; each alternative is estimated again. */
  const adviseLess = (limit: Limit, current: PreflightVerdict): string[] => {
    if (current === 'fits') return [];
    const advice: string[] = [];
    if (limit === 'memory' || limit === 'buffer') {
      for (const shorter of choices.filter((length) => length < contextLength)) {
        const other = measure(variant, shorter);
        const better = rank(judge(other.estimate, other.needed).verdict) < rank(current);
        // A buffer limit is only worth a line when the shorter context gets under it.
        if (limit === 'buffer' && !better) continue;
        advice.push(`A ${shorter}-position context needs ${formatBytes(other.needed)} (the cache shrinks to ${formatBytes(other.estimate.kvCacheBytes)}).`);
        if (better) break;
      }
    }
    for (const other of variants.filter((v) => v !== variant)) {
      const alternative = measure(other, contextLength);
      if (alternative.needed < needed) advice.push(`The ${other} variant needs ${formatBytes(alternative.needed)}.`);
    }
    if (limit === 'memory' && estimate.visionActivationBytes >= 0.05 * needed) {
      advice.push(`Smaller or fewer images: ${formatBytes(estimate.visionActivationBytes)} of the estimate is for ${PREFLIGHT_IMAGES} images at the largest size.`);
    }
    if (limit === 'wasm-heap') {
      advice.push('Open the app in a browser with WebGPU on a GPU: there the weights are not bound by the 4 GiB WebAssembly limit.');
    }
    return advice;
  };
  let { verdict, reason } = judged;
  if (!variants.includes(variant)) {
    verdict = 'no-fit';
    reason = `The ${variant} variant ${needsF16Reason(backend)}.`;
  }

  const advice = variants.includes(variant)
    ? adviseLess(judged.limit, verdict)
    : [variants[0] === undefined ? 'Convert the model with --precision q4, which runs everywhere.' : `Choose the ${variants[0]} variant, which runs here.`];
  return {
    variant,
    backend,
    variants,
    contextLength,
    contextChoices: choices,
    estimate,
    neededBytes: needed,
    deviceMemory,
    maxBindingBytes,
    verdict,
    reason,
    advice,
    notes: runNotes(manifest, capabilities, variant, contextLength),
  };
}

function rank(verdict: PreflightVerdict): number {
  return { fits: 0, unknown: 1, tight: 2, 'no-fit': 3 }[verdict];
}

/** What limits the model in this browser: an adapter's buffer, the WebAssembly heap, the memory hint, or nothing known. */
type Limit = 'buffer' | 'wasm-heap' | 'memory' | 'none';

function judgeMemory(
  estimate: MemoryEstimate,
  needed: number,
  backend: Backend,
  deviceMemory: PreflightReport['deviceMemory'],
  maxBindingBytes: number | null,
): { verdict: PreflightVerdict; reason: string; limit: Limit } {
  // 1. Hard limits the browser states exactly.
  if (maxBindingBytes !== null && estimate.largestBufferBytes > maxBindingBytes) {
    return {
      verdict: 'no-fit',
      limit: 'buffer',
      reason: `One GPU buffer would hold ${formatBytes(estimate.largestBufferBytes)}, more than this adapter's largest buffer (${formatBytes(maxBindingBytes)}).`,
    };
  }
  const wasmWeights = estimate.gpuWeightBytes + estimate.cpuWeightBytes;
  if (backend === 'wasm' && wasmWeights > WASM_HEAP_BYTES) {
    return { verdict: 'no-fit', limit: 'wasm-heap', reason: `The weights (${formatBytes(wasmWeights)}) are larger than the 4 GiB the CPU backend (WebAssembly) can address.` };
  }
  // 2. The memory hint: coarse, and only a lower bound when capped.
  const where = backend === 'webgpu' ? 'GPU memory' : 'memory';
  if (deviceMemory === null) {
    if (needed <= FITS_SHARE * SMALLEST_DEVICE_BYTES) {
      return { verdict: 'fits', limit: 'none', reason: `The model needs about ${formatBytes(needed)} of ${where}: little enough for any device that runs this browser.` };
    }
    return {
      verdict: 'unknown',
      limit: 'memory',
      reason: `The model needs about ${formatBytes(needed)} of ${where}; this browser reports no memory size to compare it with.`,
    };
  }
  const hint = `${deviceMemory.capped ? 'at least ' : 'about '}${formatBytes(deviceMemory.bytes)}`;
  const share = needed / deviceMemory.bytes;
  const tightWasm = backend === 'wasm' && wasmWeights > WASM_TIGHT_SHARE * WASM_HEAP_BYTES;
  if (share > 1 && !deviceMemory.capped) {
    return { verdict: 'no-fit', limit: 'memory', reason: `The model needs about ${formatBytes(needed)} of ${where}, more than the ${hint} this device reports.` };
  }
  if (share > FITS_SHARE || tightWasm) {
    const why = tightWasm ? `its weights nearly fill the 4 GiB the CPU backend can address` : `the device reports ${hint} in all`;
    return { verdict: 'tight', limit: tightWasm ? 'wasm-heap' : 'memory', reason: `The model needs about ${formatBytes(needed)} of ${where}, and ${why}.` };
  }
  return { verdict: 'fits', limit: 'none', reason: `The model needs about ${formatBytes(needed)} of ${where}; the device reports ${hint}.` };
}

/** How the model will run on this browser: the backend's and the adapter's consequences, in plain words. */
function runNotes(manifest: BundleManifest, capabilities: Capabilities, variant: BundleVariant, contextLength: number): PreflightNote[] {
  const notes: PreflightNote[] = [];
  const adapter = capabilities.adapter;
  if (adapter === null) {
    notes.push({
      severity: 'warn',
      text: 'No WebGPU here: the model runs on the CPU (WebAssembly). It works, but answers take many times longer than on a GPU.',
    });
  } else if (adapter.isFallbackAdapter) {
    notes.push({
      severity: 'warn',
      text: 'WebGPU runs on a software adapter (such as SwiftShader), emulated on the CPU: very slow. Turn on hardware acceleration or update the GPU driver.',
    });
  }
  if (adapter !== null && !adapter.hasShaderF16 && manifest.variants.includes('q4f16') && variant !== 'q4f16') {
    notes.push({
      severity: 'warn',
      text: `This adapter has no 16-bit float shaders (shader-f16), so ${variant} runs instead of q4f16: 32-bit activations double the KV cache and decode more slowly.`,
    });
  }
  const vision = manifest.vision ?? null;
  if (vision !== null) {
    const patch = vision.patchSize;
    const rowsPerImage = vision.imageTokens.rule === 'queries' ? vision.imageTokens.count : (vision.preprocess.resizeShortSide / patch) * (vision.preprocess.resizeLongSide / patch);
    const squareRows = vision.imageTokens.rule === 'queries' ? rowsPerImage : (vision.preprocess.resizeShortSide / patch) ** 2;
    if (PREFLIGHT_IMAGES * rowsPerImage >= contextLength) {
      notes.push({
        severity: 'info',
        text: `A ${contextLength}-position context holds fewer than ${PREFLIGHT_IMAGES} images at the largest size (${rowsPerImage} positions each); a square image takes ${squareRows}.`,
      });
    }
  } else {
    notes.push({ severity: 'info', text: 'This bundle has no vision encoder: it cannot read images.' });
  }
  return notes;
}
