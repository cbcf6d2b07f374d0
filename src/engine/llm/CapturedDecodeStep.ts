import type { BundleFiles } from '../../core/bundle/bundleFiles.ts';
import type { GraphSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../core/float16.ts';
import { openGraphSession, runSession, type Ort, type OrtSession, type OrtTensor } from '../runtime/graphSession.ts';
import { ownedGpuTensors, type GpuTensorType, type OwnedGpuTensors } from '../runtime/ownedGpuTensors.ts';
import type { GpuKvCache } from './KvCache.ts';

/**
 * One decode step (one new position) as a graph onnxruntime captures and replays (`enableGraphCapture`): its
 * first run records every GPU command of the step, and each later run replays them with no per-kernel work on
 * the CPU. A captured session is bound once, so every input and output is a GPU tensor of fixed shape and
 * address: the step's inputs (written with `queue.writeBuffer` before each run), the logits, and the KV cache
 * that the prefill session fills (`GpuKvCache`, in place). Prefills keep running in the uncaptured session: a
 * captured session cannot change shapes. Both sessions hold the decoder's weights.
 *
 * `total_sequence_length` is the cache's capacity, once and for all, and `seqlens_k` (on the GPU) says how many
 * positions are valid: GroupQueryAttention reads the CPU input only when the step is captured, so a replay keeps
 * the value of the capture; with the capacity there, its capture-ready kernels size their work from `seqlens_k`
 * and mask the rest. Measured on lavapipe: the logits are then the uncaptured step's, bit for bit, at every
 * length; with the real total frozen instead, every step past the captured one's 64-position tile went wrong.
 */
export class CapturedDecodeStep {
  private readonly staging: GPUBuffer;

  private constructor(
    private readonly device: GPUDevice,
    private readonly session: OrtSession,
    private readonly io: OwnedGpuTensors,
    private readonly feeds: Record<string, OrtTensor>,
    private readonly fetches: Record<string, OrtTensor>,
    private readonly half: { embeds: boolean; logits: boolean },
    private readonly vocabSize: number,
  ) {
    const bytes = Math.min(readbackBytes(this.logits), (this.logits.gpuBuffer as GPUBuffer).size);
    this.staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  static async open(
    ort: Ort,
    device: GPUDevice,
    files: BundleFiles,
    decoder: GraphSpec,
    cache: GpuKvCache,
    sizes: { hiddenSize: number; vocabSize: number },
    options: { disableCpuFallback?: boolean } = {},
  ): Promise<CapturedDecodeStep> {
    const embedsType = gpuType(decoder, 'inputs_embeds', decoder.inputs);
    const logitsType = gpuType(decoder, 'logits', decoder.outputs);
    const io = await ownedGpuTensors(ort, [
      { name: 'inputs_embeds', type: embedsType, dims: [1, 1, sizes.hiddenSize] },
      { name: 'seqlens_k', type: 'int32', dims: [1] },
      { name: 'total_sequence_length', type: 'int32', dims: [] },
      { name: 'logits', type: logitsType, dims: [1, 1, sizes.vocabSize] },
    ]);
    let session: OrtSession | undefined;
    try {
      const total = io.tensors.get('total_sequence_length')!.gpuBuffer as GPUBuffer;
      device.queue.writeBuffer(total, 0, new Uint8Array(Int32Array.of(cache.capacity).buffer));
      session = await openGraphSession(ort, files, decoder, { backend: 'webgpu', graphCapture: true, ...options });
      const feeds: Record<string, OrtTensor> = { ...cache.feeds() };
      for (const name of ['inputs_embeds', 'seqlens_k', 'total_sequence_length']) feeds[name] = io.tensors.get(name)!;
      const fetches = { logits: io.tensors.get('logits')!, ...(cache.fetches() as Record<string, OrtTensor>) };
      return new CapturedDecodeStep(device, session, io, feeds, fetches, { embeds: embedsType === 'float16', logits: logitsType === 'float16' }, sizes.vocabSize);
    } catch (error) {
      await session?.release();
      await io.dispose();
      throw error;
    }
  }

  /** Runs `embeds` [hidden] at position `total − 1` (the cache holds the `total − 1` before it); returns the logits. */
  async run(embeds: Float32Array, total: number): Promise<Float32Array> {
    const queue = this.device.queue;
    const write = (name: string, data: Float32Array | Uint16Array | Int32Array) =>
      queue.writeBuffer(this.feeds[name]!.gpuBuffer as GPUBuffer, 0, new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength));
    write('inputs_embeds', this.half.embeds ? toFloat16Bits(embeds) : embeds);
    write('seqlens_k', Int32Array.of(total - 1));
    await runSession(this.session, 'decoder (captured step)', this.feeds, this.fetches);
    return this.readLogits();
  }

  async dispose(): Promise<void> {
    this.staging.destroy();
    await this.session.release();
    await this.io.dispose();
  }

  private get logits(): OrtTensor {
    return this.fetches.logits!;
  }

  /** Copies the logits into the mappable staging buffer (the same queue: after the step) and reads them. */
  private async readLogits(): Promise<Float32Array> {
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(this.logits.gpuBuffer as GPUBuffer, 0, this.staging, 0, this.staging.size);
    this.device.queue.submit([encoder.finish()]);
    await this.staging.mapAsync(GPUMapMode.READ);
    try {
      const bytes = this.staging.getMappedRange();
      return this.half.logits ? fromFloat16Bits(new Uint16Array(bytes, 0, this.vocabSize)) : new Float32Array(bytes, 0, this.vocabSize).slice();
    } finally {
      this.staging.unmap();
    }
  }
}

function gpuType(graph: GraphSpec, name: string, specs: GraphSpec['inputs']): GpuTensorType {
  const dtype = specs.find((spec) => spec.name === name)?.dtype;
  if (dtype === 'float16' || dtype === 'float32') return dtype;
  throw new AppError('MANIFEST_INVALID', `${graph.path}: ${name} is ${dtype ?? 'missing'}, not float16 or float32`, { hint: 'Convert the model again with `npm run convert`.' });
}

/** The logits' bytes, rounded up to the 4 that a buffer copy moves at a time. */
function readbackBytes(logits: OrtTensor): number {
  const bytes = logits.dims.reduce((a, b) => a * b, 1) * (logits.type === 'float16' ? 2 : 4);
  return Math.ceil(bytes / 4) * 4;
}
