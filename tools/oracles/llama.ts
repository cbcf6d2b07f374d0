/**
 * A plain fp32 oracle of Hugging Face's LlamaForCausalLM, for tests and benchmarks: it checks the exported
 * ONNX decoder. Clarity over speed: one row and one head at a time, float64 sums, no tricks.
 * Checked against a plain-PyTorch transcription of HF's modeling_llama (make_llama_fixture.py) in llama.test.ts.
 *
 *   ids ─► embed ─► [RMSNorm ─► attention (rotary, grouped KV heads, causal, KV cache) ─► +residual
 *                    RMSNorm ─► down(silu(gate(x))·up(x)) ─► +residual] × layers ─► RMSNorm ─► lm_head ─► logits
 */
import { AppError } from '../../src/core/errors.ts';
import { headDim, type LlamaConfig } from '../../converter/checkpoint/llamaConfig.ts';
import { resolveLlamaWeights, type LayerWeights, type LlamaWeights, type WeightSource } from './llamaWeights.ts';
import { argmax, linear, rmsNorm, silu, softmaxInPlace } from './referenceMath.ts';
import { applyRotaryInPlace, rotaryCosSin, rotaryInverseFrequencies } from './rotary.ts';

export { argmax } from './referenceMath.ts';
export type { WeightSource } from './llamaWeights.ts';

/** A prompt: token ids, or a Float32Array of input embeddings [seq, hidden] (e.g. with image rows spliced in). */
export type PromptInput = readonly number[] | Int32Array | Uint32Array | Float32Array;

/** One layer's cache of rotated keys and of values, one row per absolute position: [positions, kvHeads·d]. */
class LayerKvCache {
  keys: Float32Array;
  values: Float32Array;

  constructor(private readonly rowSize: number) {
    this.keys = new Float32Array(16 * rowSize);
    this.values = new Float32Array(16 * rowSize);
  }

  /** Copies `rows` rows of k and v ([rows, kvHeads·d]) to positions [start, start + rows). */
  write(start: number, rows: number, k: Float32Array, v: Float32Array): void {
    const needed = (start + rows) * this.rowSize;
    if (needed > this.keys.length) {
      const grown = Math.max(needed, 2 * this.keys.length);
      const keys = new Float32Array(grown);
      const values = new Float32Array(grown);
      keys.set(this.keys);
      values.set(this.values);
      this.keys = keys;
      this.values = values;
    }
    this.keys.set(k.subarray(0, rows * this.rowSize), start * this.rowSize);
    this.values.set(v.subarray(0, rows * this.rowSize), start * this.rowSize);
  }
}

export class LlamaReference {
  readonly config: LlamaConfig;
  private readonly weights: LlamaWeights;
  private readonly headDim: number;
  private readonly inverseFrequencies: Float64Array;
  private caches: LayerKvCache[] = [];
  private past = 0;

  /** Reads and checks every weight up front; throws AppError('CHECKPOINT_INVALID') on a missing or misshapen one. */
  constructor(config: LlamaConfig, weights: WeightSource) {
    this.config = config;
    this.weights = resolveLlamaWeights(config, weights);
    this.headDim = headDim(config);
    this.inverseFrequencies = rotaryInverseFrequencies(this.headDim, config.rope_theta);
    this.reset();
  }

  /** How many positions the KV cache holds: the absolute position of the next token. */
  get pastLength(): number {
    return this.past;
  }

  /** Empties the KV cache; the next call starts at position 0. */
  reset(): void {
    const kvRow = this.config.num_key_value_heads * this.headDim;
    this.caches = this.weights.layers.map(() => new LayerKvCache(kvRow));
    this.past = 0;
  }

  /** Rows of the embedding table. ids [seq] → [seq, hidden]. */
  embed(ids: ArrayLike<number>): Float32Array {
    const { vocab_size: vocab, hidden_size: hidden } = this.config;
    const out = new Float32Array(ids.length * hidden);
    for (let s = 0; s < ids.length; s++) {
      const id = ids[s]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new AppError('BAD_ARGUMENTS', `LLaMA reference: token id ${id} at index ${s} is outside [0, ${vocab})`);
      }
      out.set(this.weights.embedTokens.subarray(id * hidden, (id + 1) * hidden), s * hidden);
    }
    return out;
  }

  /** Runs token ids after the cached positions and appends them to the cache. ids [seq] → logits [seq, vocab]. */
  forward(ids: ArrayLike<number>): Float32Array {
    return this.run(this.embed(ids), false);
  }

  /** As `forward`, from input embeddings [seq, hidden] → logits [seq, vocab]. */
  forwardEmbeds(embeds: Float32Array): Float32Array {
    return this.run(embeds, false);
  }

  /** As `forward`, but computes the lm_head for the last position only → logits [vocab]. */
  forwardLast(ids: ArrayLike<number>): Float32Array {
    return this.run(this.embed(ids), true);
  }

  /** As `forwardEmbeds`, last position only → logits [vocab]. */
  forwardEmbedsLast(embeds: Float32Array): Float32Array {
    return this.run(embeds, true);
  }

  /**
   * Greedy decoding from an EMPTY cache (it calls `reset()` first): prefill the prompt (ids, or a Float32Array of
   * embeddings [seq, hidden]), then pick argmax tokens one at a time. Ties go to the lowest token id.
   * Returns the generated ids; like HF `generate`, the stop id is included as the last element when it is
   * produced. `stopId = null` never stops early. The last token is not fed back (the cache ends one before it).
   */
  greedy(prompt: PromptInput, maxNewTokens: number, stopId: number | null = 2): number[] {
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
      throw new AppError('BAD_ARGUMENTS', `LLaMA reference: maxNewTokens ${maxNewTokens} is not a non-negative integer`);
    }
    this.reset();
    const tokens: number[] = [];
    if (maxNewTokens === 0) return tokens;
    let logits = prompt instanceof Float32Array ? this.forwardEmbedsLast(prompt) : this.forwardLast(prompt);
    for (;;) {
      const next = argmax(logits);
      tokens.push(next);
      if (next === stopId || tokens.length === maxNewTokens) return tokens;
      logits = this.forwardLast([next]);
    }
  }

  /** The decoder over x [seq, hidden] at positions [past, past + seq); caches k and v. */
  private run(x: Float32Array, lastOnly: boolean): Float32Array {
    const { hidden_size: hidden, vocab_size: vocab, rms_norm_eps: eps } = this.config;
    const seq = x.length / hidden;
    if (!Number.isInteger(seq) || seq === 0) {
      throw new AppError('BAD_ARGUMENTS', `LLaMA reference: input of ${x.length} values is not [seq ≥ 1, hidden ${hidden}]`);
    }
    if (this.past + seq > this.config.max_position_embeddings) {
      throw new AppError('BAD_ARGUMENTS', `LLaMA reference: positions up to ${this.past + seq} exceed max_position_embeddings ${this.config.max_position_embeddings}`);
    }
    let h = Float32Array.from(x);
    this.weights.layers.forEach((layer, i) => {
      // 1. Attention block with its residual.
      const attention = this.attention(rmsNorm(h, layer.inputNorm, seq, hidden, eps), layer, this.caches[i]!, seq);
      for (let j = 0; j < h.length; j++) h[j] = h[j]! + attention[j]!;
      // 2. MLP block with its residual.
      const mlp = this.mlp(rmsNorm(h, layer.postNorm, seq, hidden, eps), layer, seq);
      for (let j = 0; j < h.length; j++) h[j] = h[j]! + mlp[j]!;
    });
    this.past += seq;
    // 3. Final norm and lm_head, on the positions asked for.
    if (lastOnly) h = h.subarray((seq - 1) * hidden);
    const rows = lastOnly ? 1 : seq;
    return linear(rmsNorm(h, this.weights.finalNorm, rows, hidden, eps), this.weights.lmHead, rows, hidden, vocab);
  }

  /** Self-attention of `seq` new rows after `this.past` cached ones. x [seq, hidden] → [seq, hidden]. */
  private attention(x: Float32Array, layer: LayerWeights, cache: LayerKvCache, seq: number): Float32Array {
    const { hidden_size: hidden, num_attention_heads: heads, num_key_value_heads: kvHeads } = this.config;
    const d = this.headDim;
    const qRow = heads * d;
    const kvRow = kvHeads * d;
    const q = linear(x, layer.q, seq, hidden, qRow); // [seq, heads·d]
    const k = linear(x, layer.k, seq, hidden, kvRow); // [seq, kvHeads·d]
    const v = linear(x, layer.v, seq, hidden, kvRow); // [seq, kvHeads·d]
    for (let s = 0; s < seq; s++) {
      const { cos, sin } = rotaryCosSin(this.past + s, this.inverseFrequencies);
      applyRotaryInPlace(q, s * qRow, heads, d, cos, sin);
      applyRotaryInPlace(k, s * kvRow, kvHeads, d, cos, sin);
    }
    // The cache keeps rotated keys, as HF's cache does: a key's rotation depends only on its own position.
    cache.write(this.past, seq, k, v);
    const groupSize = heads / kvHeads; // query heads per KV head (HF repeat_kv: head h reads KV head ⌊h / group⌋)
    const scale = 1 / Math.sqrt(d);
    const out = new Float32Array(seq * qRow); // [seq, heads·d]
    const scores = new Float64Array(this.past + seq);
    for (let s = 0; s < seq; s++) {
      const visible = this.past + s + 1; // causal: keys at positions 0 … past + s
      for (let head = 0; head < heads; head++) {
        const qOffset = s * qRow + head * d;
        const kvOffset = Math.floor(head / groupSize) * d;
        for (let t = 0; t < visible; t++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += q[qOffset + i]! * cache.keys[t * kvRow + kvOffset + i]!;
          scores[t] = dot * scale;
        }
        softmaxInPlace(scores, visible);
        for (let i = 0; i < d; i++) {
          let sum = 0;
          for (let t = 0; t < visible; t++) sum += scores[t]! * cache.values[t * kvRow + kvOffset + i]!;
          out[qOffset + i] = sum;
        }
      }
    }
    return linear(out, layer.o, seq, qRow, hidden);
  }

  /** down(silu(gate(x)) · up(x)). x [seq, hidden] → [seq, hidden]. */
  private mlp(x: Float32Array, layer: LayerWeights, seq: number): Float32Array {
    const { hidden_size: hidden, intermediate_size: inner } = this.config;
    const gate = linear(x, layer.gate, seq, hidden, inner); // [seq, mlp]
    const up = linear(x, layer.up, seq, hidden, inner); // [seq, mlp]
    for (let j = 0; j < gate.length; j++) gate[j] = Math.fround(silu(gate[j]!)) * up[j]!; // HF rounds silu(gate) to fp32 first
    return linear(gate, layer.down, seq, inner, hidden);
  }
}
