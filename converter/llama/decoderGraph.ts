/**
 * The LLaMA decoder graph (`decoder_model_merged_<variant>.onnx`), built layer by layer while its weights stream
 * to the external data. Only ops that onnxruntime-web runs natively on WebGPU and wasm, and no int64 arithmetic:
 * the engine feeds GroupQueryAttention's int32 `seqlens_k` and `total_sequence_length` itself.
 *
 *   inputs_embeds ─► SimplifiedLayerNorm ─► [qkv MatMul (or q,k,v) ─► GQA(rotary, KV cache) ─► o MatMul
 *     ─► SkipSimplifiedLayerNorm(+residual) ─► gate,up MatMul ─► x·sigmoid(x)·up ─► down MatMul
 *     ─► SkipSimplifiedLayerNorm(+residual, next layer's norm)] × layers
 *     ─► final SkipSimplifiedLayerNorm ─► last position only ─► lm_head ─► logits [batch, 1, vocab]
 *        (in the activation type: fp16 for q4f16)
 */
import { AppError } from '../../src/core/errors.ts';
import { headDim, llamaNames, type LlamaConfig } from '../checkpoint/llamaConfig.ts';
import { attr } from '../onnx/GraphBuilder.ts';
import { ModelWriter, type WrittenGraph } from '../onnx/ModelWriter.ts';
import type { ExternalDataOptions } from '../onnx/ExternalDataWriter.ts';
import { toFloat16Bits } from '../onnx/float16.ts';
import { addLinear, type Quantizer } from './linear.ts';
import { rotaryCaches } from './rotaryCache.ts';
import { decoderFileName, variantSpecs, type LlamaVariant, type VariantSpec } from './variants.ts';

/** Reads one already-merged weight by its Hugging Face name, as row-major fp32. */
export type WeightReader = (name: string) => Promise<Float32Array>;

export interface DecoderOptions extends ExternalDataOptions {
  /** One MatMul for q, k and v (GQA then reads packed QKV). Default: `DEFAULT_GRAPH_FORM.fuseQkv`. */
  fuseQkv?: boolean;
  /** One MatMul for gate and up, split afterwards. Default: `DEFAULT_GRAPH_FORM.fuseGateUp`. */
  fuseGateUp?: boolean;
  /** 4-bit variants: symmetric quantization. Default false (min/max with zero points; see quantize.ts). */
  symmetric?: boolean;
  /** MatMulNBits accuracy_level. Default 0: exact on every EP (4 makes WebGPU quantize activations to int8). */
  accuracyLevel?: number;
  /** 4-bit variants: how each Linear's weights become MatMulNBits' inputs (default: quantized from the fp32 weights). */
  quantize?: Quantizer;
}

/**
 * The decoder's form unless told otherwise, chosen for fewer GPU dispatches per decode step. Measured with
 * `npm run bench:dispatches` (one decode step on onnxruntime-node 1.30's WebGPU EP over Mesa lavapipe; the
 * same kernels as onnxruntime-web/webgpu), dispatches per step for 12 layers × hidden 768 (2 layers, tiny):
 *                   separate    fuseQkv    fuseGateUp    both
 *   q4f16, q4, fp32 183 (33)    159 (29)   183 (33)      159 (29)
 * that is 15, 13, 15 and 13 per layer, and 3 outside the layers (layer 0's input norm, the last-position Slice,
 * lm_head; the logits leave in the activation type, so no Cast).
 * - fuseQkv: q, k, v in one MatMul, and GroupQueryAttention splits the packed QKV inside its rotary kernel:
 *   2 dispatches fewer per layer, the same logits (bit for bit in the graph tests, on SwiftShader's WebGPU and on wasm), so fp32 keeps it too.
 *   On wasm it costs nothing measurable (q4, 12 layers, one thread: 662 ms separate vs 589 ms fused;
 *   7B shapes, M = 1: 756 vs 777 ms; M = 64: 1426 vs 1528 ms).
 * - fuseGateUp: the Split after the fused MatMul is a dispatch of its own, so it saves none, and on wasm it
 *   costs time (q4, 12 layers: 684 vs 662 ms; 7B shapes, M = 1: 1527 vs 1340 ms). Off.
 * - symmetric (`convert --symmetric`): onnxruntime's WebGPU graph fusion MatMulNBitsMlpFusion folds the
 *   post-attention norm, gate, up and SiLU·up into one MatMulNBitsMlp dispatch, but only for MatMulNBits without
 *   zero points: 9 per layer with fuseQkv (MatMulNBitsQkvFusion needs separate q/k/v with fewer KV heads than
 *   heads, so not Vicuna's). Off by default: see quantize.ts for what zero points buy in accuracy.
 */
export const DEFAULT_GRAPH_FORM = { fuseQkv: true, fuseGateUp: false } as const;

export const DECODER_OPSETS = [
  { domain: '', version: 17 },
  { domain: 'com.microsoft', version: 1 },
];

export function pastKeyName(layer: number, which: 'key' | 'value'): string {
  return `past_key_values.${layer}.${which}`;
}

export function presentKeyName(layer: number, which: 'key' | 'value'): string {
  return `present.${layer}.${which}`;
}

export class DecoderBuilder {
  readonly writer: ModelWriter;
  private readonly spec: VariantSpec;
  private readonly d: number;
  /** The residual stream entering the next layer, and that layer's normalised input (after its input norm). */
  private residual = 'inputs_embeds';
  private normalised = '';
  private layersDone = 0;

  constructor(
    readonly variant: LlamaVariant,
    private readonly config: LlamaConfig,
    dir: string,
    private readonly options: DecoderOptions = {},
  ) {
    this.spec = variantSpecs[variant];
    this.d = headDim(config);
    this.writer = new ModelWriter(dir, decoderFileName(variant), 'decoder', options);
    this.declareInputsOutputs();
  }

  private get act() {
    return this.spec.activation;
  }

  /** 1. Rotary tables and layer 0's input norm. */
  /** Closes the graph's open external-data chunk when it will not be finished. */
  abort(): Promise<void> {
    return this.writer.abort();
  }

  async begin(read: WeightReader): Promise<void> {
    const { cos, sin } = rotaryCaches(this.d, this.config.max_position_embeddings, this.config.rope_theta);
    const shape = [this.config.max_position_embeddings, this.d / 2];
    await this.writer.weight('cos_cache', this.act, shape, this.activationData(cos));
    await this.writer.weight('sin_cache', this.act, shape, this.activationData(sin));
    const norm = await this.norm(llamaNames.layer(0).inputNorm, read);
    this.normalised = 'layers.0.input_norm';
    this.writer.graph.node('SimplifiedLayerNormalization', ['inputs_embeds', norm], [this.normalised], {
      name: 'layers.0/input_norm',
      attributes: { axis: attr.int(-1), epsilon: attr.float(this.config.rms_norm_eps), stash_type: attr.int(1) },
    });
  }

  /** 2. One decoder layer; ends with the next layer's input norm (or leaves the MLP output for `end`). */
  async layer(i: number, read: WeightReader): Promise<void> {
    if (i !== this.layersDone) throw new AppError('INTERNAL', `decoder: layer ${i} built out of order`);
    const { hidden_size: hidden, intermediate_size: inner, num_attention_heads: heads, num_key_value_heads: kvHeads } = this.config;
    const names = llamaNames.layer(i);
    const p = `model.layers.${i}`;
    const g = this.writer.graph;

    // 2a. q, k, v projections and attention with rotary and the KV cache.
    let query: string;
    let key = '';
    let value = '';
    if (this.options.fuseQkv ?? DEFAULT_GRAPH_FORM.fuseQkv) {
      query = `${p}.qkv`;
      await this.linear(`${p}.self_attn.qkv_proj`, this.normalised, query, [await read(names.q), await read(names.k), await read(names.v)], hidden);
    } else {
      [query, key, value] = [`${p}.q`, `${p}.k`, `${p}.v`];
      await this.linear(`${p}.self_attn.q_proj`, this.normalised, query, [await read(names.q)], hidden);
      await this.linear(`${p}.self_attn.k_proj`, this.normalised, key, [await read(names.k)], hidden);
      await this.linear(`${p}.self_attn.v_proj`, this.normalised, value, [await read(names.v)], hidden);
    }
    g.node(
      'GroupQueryAttention',
      [query, key, value, pastKeyName(i, 'key'), pastKeyName(i, 'value'), 'seqlens_k', 'total_sequence_length', 'cos_cache', 'sin_cache'],
      [`${p}.attn`, presentKeyName(i, 'key'), presentKeyName(i, 'value')],
      {
        domain: 'com.microsoft',
        name: `${p}/GroupQueryAttention`,
        attributes: { num_heads: attr.int(heads), kv_num_heads: attr.int(kvHeads), do_rotary: attr.int(1), rotary_interleaved: attr.int(0) },
      },
    );
    await this.linear(`${p}.self_attn.o_proj`, `${p}.attn`, `${p}.o`, [await read(names.o)], heads * this.d);

    // 2b. Residual add and post-attention norm in one op.
    const postNorm = await this.norm(names.postNorm, read);
    g.node('SkipSimplifiedLayerNormalization', [`${p}.o`, this.residual, postNorm], [`${p}.post_norm`, '', '', `${p}.residual_attn`], {
      domain: 'com.microsoft',
      name: `${p}/post_attention_norm`,
      attributes: { epsilon: attr.float(this.config.rms_norm_eps) },
    });

    // 2c. SwiGLU MLP: down(silu(gate(x)) · up(x)), silu(x) = x · sigmoid(x).
    const gate = `${p}.gate`;
    const up = `${p}.up`;
    if (this.options.fuseGateUp ?? DEFAULT_GRAPH_FORM.fuseGateUp) {
      await this.linear(`${p}.mlp.gate_up_proj`, `${p}.post_norm`, `${p}.gate_up`, [await read(names.gate), await read(names.up)], hidden);
      const split = this.writer.constant(`${p}.gate_up_split`, 'int64', [2], new BigInt64Array([BigInt(inner), BigInt(inner)]));
      g.node('Split', [`${p}.gate_up`, split], [gate, up], { name: `${p}/gate_up_split`, attributes: { axis: attr.int(-1) } });
    } else {
      await this.linear(`${p}.mlp.gate_proj`, `${p}.post_norm`, gate, [await read(names.gate)], hidden);
      await this.linear(`${p}.mlp.up_proj`, `${p}.post_norm`, up, [await read(names.up)], hidden);
    }
    g.node('Sigmoid', [gate], [`${p}.gate_sigmoid`], { name: `${p}/sigmoid` });
    g.node('Mul', [gate, `${p}.gate_sigmoid`], [`${p}.gate_silu`], { name: `${p}/silu` });
    g.node('Mul', [`${p}.gate_silu`, up], [`${p}.gated`], { name: `${p}/gated` });
    await this.linear(`${p}.mlp.down_proj`, `${p}.gated`, `${p}.down`, [await read(names.down)], inner);

    // 2d. Residual add and the next layer's input norm, fused; the last layer's output waits for `end`.
    this.residual = `${p}.residual_attn`;
    this.layersDone++;
    if (i + 1 < this.config.num_hidden_layers) {
      const nextNorm = await this.norm(llamaNames.layer(i + 1).inputNorm, read);
      this.normalised = `layers.${i + 1}.input_norm`;
      g.node('SkipSimplifiedLayerNormalization', [`${p}.down`, this.residual, nextNorm], [this.normalised, '', '', `${p}.residual_mlp`], {
        domain: 'com.microsoft',
        name: `layers.${i + 1}/input_norm`,
        attributes: { epsilon: attr.float(this.config.rms_norm_eps) },
      });
      this.residual = `${p}.residual_mlp`;
    }
  }

  /** 3. Last position only, final norm and lm_head; writes the .onnx file. */
  async end(read: WeightReader): Promise<WrittenGraph> {
    const { num_hidden_layers: layers, hidden_size: hidden } = this.config;
    if (this.layersDone !== layers) throw new AppError('INTERNAL', `decoder: ${this.layersDone} of ${layers} layers built`);
    const g = this.writer.graph;
    const last = `model.layers.${layers - 1}`;
    // The final norm runs on every position, then one Slice keeps the last: one dispatch per step fewer than
    // slicing its two inputs, and the norm of the prompt's rows costs little beside one layer. lm_head then
    // costs one row, not `seq`.
    const finalNorm = await this.norm(llamaNames.finalNorm, read);
    g.node('SkipSimplifiedLayerNormalization', [`${last}.down`, this.residual, finalNorm], ['final_norm'], {
      domain: 'com.microsoft',
      name: 'final_norm',
      attributes: { epsilon: attr.float(this.config.rms_norm_eps) },
    });
    const starts = this.writer.constant('last_position.starts', 'int64', [1], new BigInt64Array([-1n]));
    const ends = this.writer.constant('last_position.ends', 'int64', [1], new BigInt64Array([2n ** 62n]));
    const axes = this.writer.constant('last_position.axes', 'int64', [1], new BigInt64Array([1n]));
    g.node('Slice', ['final_norm', starts, ends, axes], ['last.norm'], { name: 'last_position' });
    // Logits in the activation type: no Cast dispatch; the engine widens fp16 logits as it reads them (exact).
    await this.linear('lm_head', 'last.norm', 'logits', [await read(llamaNames.lmHead)], hidden);
    return this.writer.finish({ opsets: DECODER_OPSETS, docString: `LLaMA decoder, ${this.variant}` });
  }

  private declareInputsOutputs(): void {
    const { hidden_size: hidden, num_key_value_heads: kvHeads, num_hidden_layers: layers, vocab_size: vocab } = this.config;
    const g = this.writer.graph;
    g.input('inputs_embeds', this.act, ['batch_size', 'sequence_length', hidden]);
    g.input('seqlens_k', 'int32', ['batch_size']); // past + new − 1, per sequence
    g.input('total_sequence_length', 'int32', []); // past + new
    for (let i = 0; i < layers; i++) {
      for (const which of ['key', 'value'] as const) g.input(pastKeyName(i, which), this.act, ['batch_size', kvHeads, 'past_sequence_length', this.d]);
    }
    g.output('logits', this.act, ['batch_size', 1, vocab]);
    for (let i = 0; i < layers; i++) {
      for (const which of ['key', 'value'] as const) g.output(presentKeyName(i, which), this.act, ['batch_size', kvHeads, 'total_sequence_length', this.d]);
    }
  }

  private async linear(name: string, input: string, output: string, parts: Float32Array[], k: number): Promise<void> {
    await addLinear(this.writer, this.spec, {
      name,
      input,
      output,
      parts,
      k,
      symmetric: this.options.symmetric ?? false,
      accuracyLevel: this.options.accuracyLevel ?? 0,
      ...(this.options.quantize === undefined ? {} : { quantize: this.options.quantize }),
    });
  }

  private async norm(name: string, read: WeightReader): Promise<string> {
    const weight = await read(name);
    return this.writer.weight(name, this.act, [weight.length], this.activationData(weight));
  }

  private activationData(values: Float32Array): Float32Array | Uint16Array {
    return this.act === 'float16' ? toFloat16Bits(values) : values;
  }
}
