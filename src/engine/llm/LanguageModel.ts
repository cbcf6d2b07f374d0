import type { GraphSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../core/float16.ts';
import { runSession, type Ort, type OrtSession, type OrtTensor } from '../runtime/graphSession.ts';
import type { CapturedDecodeStep } from './CapturedDecodeStep.ts';
import type { KvCache } from './KvCache.ts';

/** What the model did since load; `Engine` exposes it as `counters()`. */
export interface WorkCounters {
  visionRuns: number;
  embedRuns: number;
  decoderRuns: number;
  prefillTokens: number;
  decodeSteps: number;
}

export function zeroCounters(): WorkCounters {
  return { visionRuns: 0, embedRuns: 0, decoderRuns: 0, prefillTokens: 0, decodeSteps: 0 };
}

/**
 * embed_tokens (always on the CPU: a table lookup needs no GPU round trip) and the decoder with its static KV
 * cache. Holds how many cache positions are valid; positions are appended by `forward` and dropped by
 * `truncate`, which is all that prefix reuse needs.
 */
export class LanguageModel {
  private valid = 0;

  constructor(
    private readonly ort: Ort,
    private readonly embedSession: OrtSession,
    private readonly decoderSession: OrtSession,
    private readonly decoder: GraphSpec,
    private readonly cache: KvCache,
    readonly hiddenSize: number,
    private readonly counters: WorkCounters,
    /** Runs single positions (decode steps) as a replayed graph, on the same cache; prefills stay uncaptured. Its opener releases it. */
    private readonly step: CapturedDecodeStep | null = null,
  ) {}

  /** Valid positions in the KV cache. */
  get cachedPositions(): number {
    return this.valid;
  }

  get capacity(): number {
    return this.cache.capacity;
  }

  /** Forgets every position from `positions` on. */
  truncate(positions: number): void {
    if (!Number.isInteger(positions) || positions < 0 || positions > this.valid) {
      throw new AppError('INTERNAL', `KV cache: cannot keep ${positions} of ${this.valid} positions`);
    }
    this.valid = positions;
  }

  /** Token ids → their embeddings [ids.length, hidden], fp32. */
  async embed(ids: readonly number[]): Promise<Float32Array> {
    if (ids.length === 0) return new Float32Array(0);
    const input = new this.ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [1, ids.length]);
    this.counters.embedRuns++;
    const outputs = await runSession(this.embedSession, 'token embedding', { input_ids: input });
    return toFloat32(outputs.inputs_embeds, 'inputs_embeds');
  }

  /**
   * Runs `embeds` [n, hidden] at the positions after the valid ones and appends them to the cache.
   * Returns the logits of the last position [vocab] (the decoder computes no others).
   */
  async forward(embeds: Float32Array): Promise<Float32Array> {
    const n = embeds.length / this.hiddenSize;
    if (!Number.isInteger(n) || n < 1) throw new AppError('INTERNAL', `decoder input of ${embeds.length} values is not [n ≥ 1, ${this.hiddenSize}]`);
    const total = this.valid + n;
    if (total > this.cache.capacity) {
      throw new AppError('CONTEXT_TOO_LONG', `The prompt and answer need ${total} positions; the model was loaded with room for ${this.cache.capacity}.`, {
        hint: 'Use smaller images, fewer images, or a shorter answer limit.',
      });
    }
    this.counters.decoderRuns++;
    if (n === 1 && this.step !== null) {
      try {
        const logits = await this.step.run(embeds, total);
        this.valid = total;
        return logits;
      } catch (error) {
        this.valid = 0;
        throw error;
      }
    }
    const dims = [1, n, this.hiddenSize];
    const half = this.decoder.inputs.find((input) => input.name === 'inputs_embeds')?.dtype === 'float16';
    const feeds: Record<string, OrtTensor> = {
      inputs_embeds: half ? new this.ort.Tensor('float16', toFloat16Bits(embeds), dims) : new this.ort.Tensor('float32', embeds, dims),
      // GroupQueryAttention's view of the sequence: int32, fed from here so that no int64 arithmetic runs on the GPU.
      seqlens_k: new this.ort.Tensor('int32', Int32Array.of(total - 1), [1]),
      total_sequence_length: new this.ort.Tensor('int32', Int32Array.of(total), []),
      ...this.cache.feeds(),
    };
    let outputs: Record<string, OrtTensor>;
    try {
      outputs = await runSession(this.decoderSession, 'decoder', feeds, { logits: null, ...this.cache.fetches() });
      this.cache.update(outputs);
    } catch (error) {
      // What the failed run left in the cache is unknown: start the next request from an empty one.
      this.valid = 0;
      throw error;
    }
    this.valid = total;
    return toFloat32(outputs.logits, 'logits');
  }

  dispose(): void {
    this.cache.dispose();
    this.valid = 0;
  }
}

/** A CPU output as fp32 (fp16 variants return half-precision bits). */
export function toFloat32(tensor: OrtTensor | undefined, name: string): Float32Array {
  if (tensor === undefined) throw new AppError('MODEL_RUN_FAILED', `The model returned no ${name}.`, { hint: 'Convert the model again.' });
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') {
    // Bit patterns in a Uint16Array, or a Float16Array where the JavaScript engine has one.
    const data = tensor.data as ArrayLike<number>;
    return data instanceof Uint16Array ? fromFloat16Bits(data) : Float32Array.from(data);
  }
  throw new AppError('MODEL_RUN_FAILED', `The model returned ${name} as ${tensor.type}, not float32 or float16.`, { hint: 'Convert the model again.' });
}
