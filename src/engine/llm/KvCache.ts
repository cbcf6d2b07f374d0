import type { GraphSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import type { Ort, OrtTensor } from '../runtime/graphSession.ts';
import { ownedGpuTensors, type OwnedGpuTensors } from '../runtime/ownedGpuTensors.ts';

/**
 * The decoder's KV cache in its static form: one past tensor per layer and key/value, [1, kvHeads, capacity,
 * headDim], allocated once. GroupQueryAttention writes the new positions into it in place and masks
 * everything past `total_sequence_length`, so truncating the cache is only a matter of the position counter
 * (kept by `LanguageModel`), and nothing is reallocated per step.
 */
export interface KvCache {
  readonly capacity: number;
  /** Past tensors to feed, by input name. */
  feeds(): Record<string, OrtTensor>;
  /** What to fetch: every present output, preallocated (the same GPU buffers as the past) or not (null). */
  fetches(): Record<string, OrtTensor | null>;
  /** Takes the present tensors of a run as the next past. */
  update(outputs: Readonly<Record<string, OrtTensor>>): void;
  dispose(): void;
}

/** Names, element type and sizes of the cache, read from the decoder's manifest entry (the model as data). */
export interface KvLayout {
  /** Pairs of graph input and output names: `past_key_values.{i}.key|value` → `present.{i}.key|value`. */
  pairs: Array<{ past: string; present: string }>;
  dtype: 'float32' | 'float16';
  kvHeads: number;
  headDim: number;
}

const PAST_PREFIX = 'past_key_values.';
const PRESENT_PREFIX = 'present.';

export function kvLayout(decoder: GraphSpec): KvLayout {
  const fail = (problem: string) =>
    new AppError('MANIFEST_INVALID', `${decoder.path}: ${problem}`, { hint: 'Convert the model again with `npm run convert`.' });
  const pasts = decoder.inputs.filter((input) => input.name.startsWith(PAST_PREFIX));
  if (pasts.length === 0) throw fail('the decoder has no past_key_values inputs');
  const first = pasts[0]!;
  const [, kvHeads, , headDim] = first.shape;
  if (typeof kvHeads !== 'number' || typeof headDim !== 'number' || first.shape.length !== 4) {
    throw fail(`${first.name} is not [batch, kvHeads, past, headDim] with fixed kvHeads and headDim`);
  }
  if (first.dtype !== 'float32' && first.dtype !== 'float16') throw fail(`${first.name} is ${first.dtype}, not float32 or float16`);
  const outputs = new Set(decoder.outputs.map((output) => output.name));
  const pairs = pasts.map((input) => {
    const present = PRESENT_PREFIX + input.name.slice(PAST_PREFIX.length);
    if (!outputs.has(present)) throw fail(`${input.name} has no matching ${present} output`);
    if (input.dtype !== first.dtype || input.shape[1] !== kvHeads || input.shape[3] !== headDim) {
      throw fail(`${input.name} differs in type or shape from ${first.name}`);
    }
    return { past: input.name, present };
  });
  return { pairs, dtype: first.dtype, kvHeads, headDim };
}

function cacheDims(layout: KvLayout, capacity: number): number[] {
  return [1, layout.kvHeads, capacity, layout.headDim];
}

/** A CPU tensor of zeros shaped as one layer's key or value cache. */
function zeroCache(ort: Ort, layout: KvLayout, capacity: number): OrtTensor {
  const dims = cacheDims(layout, capacity);
  const size = dims.reduce((a, b) => a * b, 1);
  return layout.dtype === 'float16' ? new ort.Tensor('float16', new Uint16Array(size), dims) : new ort.Tensor('float32', new Float32Array(size), dims);
}

/**
 * CPU tensors, for the wasm backend. onnxruntime-web copies inputs into the wasm heap and outputs out of it on
 * every run (it has no tensors that live in the wasm heap between runs), so the present output of one run is
 * the past of the next.
 */
export class CpuKvCache implements KvCache {
  private tensors = new Map<string, OrtTensor>();

  constructor(
    ort: Ort,
    private readonly layout: KvLayout,
    readonly capacity: number,
  ) {
    for (const { past } of layout.pairs) this.tensors.set(past, zeroCache(ort, layout, capacity));
  }

  feeds(): Record<string, OrtTensor> {
    return Object.fromEntries(this.tensors);
  }

  fetches(): Record<string, OrtTensor | null> {
    return Object.fromEntries(this.layout.pairs.map(({ present }) => [present, null]));
  }

  update(outputs: Readonly<Record<string, OrtTensor>>): void {
    for (const { past, present } of this.layout.pairs) {
      const tensor = outputs[present];
      if (tensor === undefined || tensor.dims[2] !== this.capacity) {
        throw new AppError('MODEL_RUN_FAILED', `The decoder returned ${present} of shape [${tensor?.dims.join(', ') ?? 'nothing'}], not a cache of ${this.capacity} positions.`, {
          hint: 'The bundle was made by a converter whose attention does not keep a static cache: convert the model again.',
        });
      }
      this.tensors.set(past, tensor);
    }
  }

  dispose(): void {
    this.tensors.clear();
  }
}

/**
 * GPU tensors, for the WebGPU backend: allocated once by onnxruntime itself (see `ownedGpuTensors`), fed as the
 * past and bound as the preallocated present of every run, so GroupQueryAttention updates them in place and the
 * cache never leaves the GPU. Being onnxruntime's own, they stay bound across runs, so a captured decode step
 * (`CapturedDecodeStep`) shares them with the prefill.
 */
export class GpuKvCache implements KvCache {
  private constructor(
    private readonly layout: KvLayout,
    readonly capacity: number,
    private readonly owned: OwnedGpuTensors,
  ) {}

  static async create(ort: Ort, layout: KvLayout, capacity: number): Promise<GpuKvCache> {
    const dims = cacheDims(layout, capacity);
    // Zero-filled; positions past the sequence length are masked anyway.
    const owned = await ownedGpuTensors(ort, layout.pairs.map(({ past }) => ({ name: past, type: layout.dtype, dims })));
    return new GpuKvCache(layout, capacity, owned);
  }

  /** The past tensor of each layer's key or value, by input name (the same tensor is that layer's present). */
  get tensors(): ReadonlyMap<string, OrtTensor> {
    return this.owned.tensors;
  }

  feeds(): Record<string, OrtTensor> {
    return Object.fromEntries(this.owned.tensors);
  }

  fetches(): Record<string, OrtTensor | null> {
    return Object.fromEntries(this.layout.pairs.map(({ past, present }) => [present, this.owned.tensors.get(past)!]));
  }

  update(outputs: Readonly<Record<string, OrtTensor>>): void {
    for (const { past, present } of this.layout.pairs) {
      const tensor = outputs[present];
      const own = this.owned.tensors.get(past)!;
      if (tensor !== undefined && tensor !== own && !(tensor.location === 'gpu-buffer' && tensor.gpuBuffer === own.gpuBuffer)) {
        // onnxruntime handed back a buffer of its own instead of writing ours: keep ours, free the stray one.
        tensor.dispose();
        throw new AppError('MODEL_RUN_FAILED', `The decoder did not write ${present} into the preallocated GPU cache.`, {
          hint: 'Reload the model; if it persists, choose the CPU backend.',
        });
      }
    }
  }

  dispose(): void {
    void this.owned.dispose();
  }
}

/**
 * GPU tensors that onnxruntime allocates itself, for a WebGPU runtime that hands out no device (onnxruntime-node:
 * its GPU tensors are opaque handles, and a preallocated present that is also the past is not written in place
 * there). The first run feeds zeros from the CPU; every run's present outputs stay on the GPU (the session asks
 * for them as 'gpu-buffer') and are fed back as the next past, and the past they replace is freed. The cache
 * never comes back to the CPU; GroupQueryAttention copies the past into the new present on the GPU.
 */
export class OutputKvCache implements KvCache {
  private readonly zeros: Map<string, OrtTensor>;
  private gpu: Map<string, OrtTensor> | null = null;

  constructor(
    ort: Ort,
    private readonly layout: KvLayout,
    readonly capacity: number,
  ) {
    // One zero buffer for every layer: a run only reads its past.
    const zero = zeroCache(ort, layout, capacity);
    this.zeros = new Map(layout.pairs.map(({ past }) => [past, zero]));
  }

  feeds(): Record<string, OrtTensor> {
    return Object.fromEntries(this.gpu ?? this.zeros);
  }

  fetches(): Record<string, OrtTensor | null> {
    return Object.fromEntries(this.layout.pairs.map(({ present }) => [present, null]));
  }

  update(outputs: Readonly<Record<string, OrtTensor>>): void {
    const next = new Map<string, OrtTensor>();
    for (const { past, present } of this.layout.pairs) {
      const tensor = outputs[present];
      if (tensor === undefined || tensor.dims[2] !== this.capacity || tensor.location !== 'gpu-buffer') {
        for (const kept of next.values()) kept.dispose();
        throw new AppError('MODEL_RUN_FAILED', `The decoder returned ${present} ${tensor === undefined ? 'as nothing' : `of shape [${tensor.dims.join(', ')}] on the ${tensor.location}`}, not a GPU cache of ${this.capacity} positions.`, {
          hint: 'Convert the model again; if it persists, run on the CPU (--device cpu).',
        });
      }
      next.set(past, tensor);
    }
    this.release();
    this.gpu = next;
  }

  dispose(): void {
    this.release();
  }

  private release(): void {
    for (const tensor of this.gpu?.values() ?? []) tensor.dispose();
    this.gpu = null;
  }
}
