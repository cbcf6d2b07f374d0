/**
 * Writes the language model's graphs for every requested variant in ONE pass over the weights: each weight is
 * read (and LoRA-merged) once, handed to every variant's builder, and dropped after the last one used it. Peak
 * memory is about one decoder layer in fp32 (≈ 0.8 GB for 7B) or the lm_head / embedding table (0.5 GB).
 */
import { AppError } from '../../src/core/errors.ts';
import { headDim, llamaNames, type LlamaConfig } from '../checkpoint/llamaConfig.ts';
import type { WrittenGraph } from '../onnx/ModelWriter.ts';
import { DecoderBuilder, type DecoderOptions, type WeightReader } from './decoderGraph.ts';
import { writeEmbedTokens } from './embedTokensGraph.ts';
import type { LlamaVariant } from './variants.ts';

export interface LlamaGraphs {
  variant: LlamaVariant;
  embedTokens: WrittenGraph;
  decoder: WrittenGraph;
}

export interface WriteLlamaOptions extends DecoderOptions {
  variants: readonly LlamaVariant[];
  /** Called after each distinct weight is read: `done` of `total` weights. */
  onWeight?: (name: string, done: number, total: number) => void;
}

/** Writes `embed_tokens_<v>.onnx` and `decoder_model_merged_<v>.onnx` (+ data chunks) into `dir` for each variant. */
export async function writeLlamaGraphs(config: LlamaConfig, read: WeightReader, dir: string, options: WriteLlamaOptions): Promise<LlamaGraphs[]> {
  const variants = [...new Set(options.variants)];
  if (variants.length === 0) throw new AppError('BAD_ARGUMENTS', 'no precision variant was asked for');
  const shared = new SharedWeights(config, read, variants.length, options.onWeight);
  const fetch = (name: string) => shared.get(name);

  const embedTokens: WrittenGraph[] = [];
  for (const variant of variants) embedTokens.push(await writeEmbedTokens(variant, config, dir, fetch, options));

  const builders = variants.map((variant) => new DecoderBuilder(variant, config, dir, options));
  const decoders: WrittenGraph[] = [];
  try {
    for (const builder of builders) await builder.begin(fetch);
    for (let i = 0; i < config.num_hidden_layers; i++) {
      for (const builder of builders) await builder.layer(i, fetch);
    }
    for (const builder of builders) decoders.push(await builder.end(fetch));
  } catch (error) {
    // The decoders' open chunks are closed, so that the caller can remove them (and a full disk gets its room back).
    for (const builder of builders) await builder.abort().catch(() => undefined);
    throw error;
  }
  shared.checkAllUsed();
  return variants.map((variant, i) => ({ variant, embedTokens: embedTokens[i]!, decoder: decoders[i]! }));
}

/** The shapes LlamaForCausalLM's weights must have, by Hugging Face name. */
export function llamaWeightShapes(config: LlamaConfig): Map<string, number[]> {
  const { hidden_size: hidden, intermediate_size: inner, vocab_size: vocab } = config;
  const q = config.num_attention_heads * headDim(config);
  const kv = config.num_key_value_heads * headDim(config);
  const shapes = new Map<string, number[]>([[llamaNames.embedTokens, [vocab, hidden]]]);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const n = llamaNames.layer(i);
    shapes.set(n.inputNorm, [hidden]).set(n.q, [q, hidden]).set(n.k, [kv, hidden]).set(n.v, [kv, hidden]).set(n.o, [hidden, q]);
    shapes.set(n.postNorm, [hidden]).set(n.gate, [inner, hidden]).set(n.up, [inner, hidden]).set(n.down, [hidden, inner]);
  }
  return shapes.set(llamaNames.finalNorm, [hidden]).set(llamaNames.lmHead, [vocab, hidden]);
}

/** Reads each weight once for `consumers` builders, checks its size, and forgets it after the last one took it. */
class SharedWeights {
  private readonly shapes: Map<string, number[]>;
  private readonly pending = new Map<string, { data: Promise<Float32Array>; left: number }>();
  private readonly seen = new Set<string>();

  constructor(
    config: LlamaConfig,
    private readonly read: WeightReader,
    private readonly consumers: number,
    private readonly onWeight?: (name: string, done: number, total: number) => void,
  ) {
    this.shapes = llamaWeightShapes(config);
  }

  get(name: string): Promise<Float32Array> {
    let entry = this.pending.get(name);
    if (entry === undefined) {
      if (this.seen.has(name)) throw new AppError('INTERNAL', `weight ${name} was asked for more than once per variant`);
      this.seen.add(name);
      entry = { data: this.load(name), left: this.consumers };
      this.pending.set(name, entry);
    }
    if (--entry.left === 0) this.pending.delete(name);
    return entry.data;
  }

  checkAllUsed(): void {
    const unused = [...this.shapes.keys()].filter((name) => !this.seen.has(name));
    if (unused.length > 0) throw new AppError('INTERNAL', `the graphs did not use ${unused.join(', ')}`);
  }

  private async load(name: string): Promise<Float32Array> {
    const shape = this.shapes.get(name);
    if (shape === undefined) throw new AppError('INTERNAL', `${name} is not a LLaMA weight`);
    const data = await this.read(name);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new AppError('CHECKPOINT_INVALID', `${name} has ${data.length} values but the model's config needs [${shape.join(', ')}] (${expected})`);
    }
    this.onWeight?.(name, this.seen.size, this.shapes.size);
    return data;
  }
}
