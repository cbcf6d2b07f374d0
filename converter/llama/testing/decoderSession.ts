/**
 * Drives a written decoder graph on onnxruntime-web's wasm EP in Node, as the engine will: prefill, then one
 * token at a time, feeding `seqlens_k` / `total_sequence_length` as int32 and the KV cache back in. Two cache
 * forms: 'growing' (past is exactly the previous positions) and 'static' (one buffer sized for the whole context,
 * which GroupQueryAttention updates in place: the engine's form on WebGPU). For tests and benchmarks.
 */
import type * as ort from 'onnxruntime-web/webgpu';
import { headDim, type LlamaConfig } from '../../checkpoint/llamaConfig.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../onnx/float16.ts';
import { toFloat32 } from '../../../src/engine/llm/LanguageModel.ts';
import { nodeOrt } from '../../../cli/host/ortNode.ts';
import { pastKeyName, presentKeyName } from '../decoderGraph.ts';
import { variantSpecs, type LlamaVariant } from '../variants.ts';

export type KvCacheForm = { kind: 'growing' } | { kind: 'static'; maxSequence: number };

export class DecoderSession {
  private past: Map<string, ort.Tensor> = new Map();
  private pastLength = 0;
  private readonly fp16: boolean;

  constructor(
    private readonly runtime: typeof ort,
    private readonly session: ort.InferenceSession,
    private readonly config: LlamaConfig,
    variant: LlamaVariant,
    private readonly cache: KvCacheForm = { kind: 'growing' },
  ) {
    this.fp16 = variantSpecs[variant].activation === 'float16';
    this.reset();
  }

  static async create(session: ort.InferenceSession, config: LlamaConfig, variant: LlamaVariant, cache?: KvCacheForm): Promise<DecoderSession> {
    return new DecoderSession(await nodeOrt(), session, config, variant, cache);
  }

  get length(): number {
    return this.pastLength;
  }

  reset(): void {
    const { num_hidden_layers: layers, num_key_value_heads: kvHeads } = this.config;
    const positions = this.cache.kind === 'static' ? this.cache.maxSequence : 0;
    const dims = [1, kvHeads, positions, headDim(this.config)];
    const size = dims.reduce((a, b) => a * b, 1);
    this.past = new Map();
    for (let i = 0; i < layers; i++) {
      for (const which of ['key', 'value'] as const) {
        this.past.set(
          pastKeyName(i, which),
          this.fp16 ? new this.runtime.Tensor('float16', new Uint16Array(size), dims) : new this.runtime.Tensor('float32', new Float32Array(size), dims),
        );
      }
    }
    this.pastLength = 0;
  }

  /** Runs `embeds` [seq, hidden] after the cached positions → the last position's logits [vocab]. */
  async step(embeds: Float32Array): Promise<Float32Array> {
    const seq = embeds.length / this.config.hidden_size;
    const total = this.pastLength + seq;
    const dims = [1, seq, this.config.hidden_size];
    const feeds: Record<string, ort.Tensor> = {
      inputs_embeds: this.fp16 ? new this.runtime.Tensor('float16', toFloat16Bits(embeds), dims) : new this.runtime.Tensor('float32', embeds, dims),
      seqlens_k: new this.runtime.Tensor('int32', new Int32Array([total - 1]), [1]),
      total_sequence_length: new this.runtime.Tensor('int32', new Int32Array([total]), []),
    };
    for (const [name, tensor] of this.past) feeds[name] = tensor;
    const outputs = await this.session.run(feeds);
    for (let i = 0; i < this.config.num_hidden_layers; i++) {
      for (const which of ['key', 'value'] as const) this.past.set(pastKeyName(i, which), outputs[presentKeyName(i, which)]!);
    }
    this.pastLength = total;
    return toFloat32(outputs.logits, 'logits');
  }

  /** A present tensor of the last step as fp32 (for checks of the cache's shape and content). */
  present(layer: number, which: 'key' | 'value'): { dims: readonly number[]; data: Float32Array } {
    const tensor = this.past.get(pastKeyName(layer, which))!;
    const data = this.fp16 ? fromFloat16Bits(tensor.data as Uint16Array) : (tensor.data as Float32Array);
    return { dims: tensor.dims, data };
  }
}
