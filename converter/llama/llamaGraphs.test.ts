/**
 * The language-model graphs of a tiny random LLaMA (hidden 64, 2 layers, 4 heads, 2 KV heads, MLP 192,
 * vocab 32000), written by the real converter and run by onnxruntime-web's wasm EP (and, where Node has a
 * WebGPU adapter, onnxruntime-node's WebGPU EP), against the TypeScript fp32 reference: a 20-token prefill,
 * then 8 single-token steps with the KV cache, growing and static.
 */
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llamaNames } from '../checkpoint/llamaConfig.ts';
import type { DenseTensor } from '../checkpoint/types.ts';
import { fromFloat16Bits, roundToFloat16InPlace, toFloat16Bits } from '../onnx/float16.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';
import { LlamaReference } from '../../tools/oracles/llama.ts';
import { randomLlamaWeights, spreadTokenIds } from '../../tools/oracles/randomLlama.ts';
import { cosine, relativeMaxError } from '../../tools/testing/errorMetrics.ts';
import { dequantizedLlamaWeights } from '../../tools/bench/quantizeReport.ts';
import { nodeGpuOrt } from '../../cli/host/nodeGpu.ts';
import { describeOnNodeGpu } from '../../cli/host/testing/nodeGpuSuite.ts';
import { writeLlamaGraphs, type LlamaGraphs } from './convertLlama.ts';
import { describeDecoderLayout } from './decoderLayout.ts';
import { DecoderSession, type KvCacheForm } from './testing/decoderSession.ts';
import { LLAMA_VARIANTS, type LlamaVariant } from './variants.ts';
import { smallLlamaConfig } from './smallConfig.ts';

const config = smallLlamaConfig();
const weights = randomLlamaWeights(config, 11);
const read = async (name: string) => weights.get(name)!.data;
const ids = spreadTokenIds(28, config.vocab_size);
const PREFILL = 20;

let dir: string;
/** The converter's default form, and the same weights with q/k/v and gate/up as separate MatMuls. */
let graphs: Map<LlamaVariant, LlamaGraphs>;
let separateGraphs: Map<LlamaVariant, LlamaGraphs>;

beforeAll(async () => {
  await nodeOrt();
  dir = await mkdtemp(join(tmpdir(), 'llama-graphs-'));
  const written = await writeLlamaGraphs(config, read, dir, { variants: ['fp32', 'q4', 'q4f16'] });
  graphs = new Map(written.map((g) => [g.variant, g]));
  await mkdir(join(dir, 'separate'));
  const separate = await writeLlamaGraphs(config, read, join(dir, 'separate'), { variants: ['fp32', 'q4', 'q4f16'], fuseQkv: false, fuseGateUp: false });
  separateGraphs = new Map(separate.map((g) => [g.variant, g]));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The reference's last-position logits for the prefill and each step. */
function referenceLogits(source: Map<string, DenseTensor>): Float32Array[] {
  const model = new LlamaReference(config, source);
  const rows = [model.forwardLast(ids.slice(0, PREFILL))];
  for (const id of ids.slice(PREFILL)) rows.push(model.forwardLast([id]));
  return rows;
}

async function graphLogits(variant: LlamaVariant, cache: KvCacheForm, graph = graphs.get(variant)!.decoder, graphDir = dir): Promise<Float32Array[]> {
  return decoderLogits(await DecoderSession.create(await openWrittenGraph(graphDir, graph), config, variant, cache));
}

/** The prefill's and each step's last-position logits. */
async function decoderLogits(session: DecoderSession): Promise<Float32Array[]> {
  const embed = new LlamaReference(config, weights);
  const rows = [await session.step(embed.embed(ids.slice(0, PREFILL)))];
  for (const id of ids.slice(PREFILL)) rows.push(await session.step(embed.embed([id])));
  expect(session.length).toBe(ids.length);
  return rows;
}

const worst = (expected: Float32Array[], actual: Float32Array[]) => Math.max(...actual.map((row, i) => relativeMaxError(expected[i]!, row)));

const exact = referenceLogits(weights);
const caches: KvCacheForm[] = [{ kind: 'growing' }, { kind: 'static', maxSequence: config.max_position_embeddings }];

describe('decoder graph descriptions', () => {
  it('lists the files written, with their sizes, and the inputs and outputs the engine feeds', async () => {
    const q4 = graphs.get('q4')!;
    expect(q4.decoder.model.name).toBe('decoder_model_merged_q4.onnx');
    expect(q4.decoder.data.map((f) => f.name)).toEqual(['decoder_model_merged_q4.onnx_data']);
    expect(q4.embedTokens.data.map((f) => f.name)).toEqual(['embed_tokens_q4.onnx_data']);
    for (const file of [q4.decoder.model, ...q4.decoder.data, q4.embedTokens.model, ...q4.embedTokens.data]) {
      expect((await stat(join(dir, file.name))).size).toBe(file.bytes);
    }
    const q4f16 = graphs.get('q4f16')!.decoder;
    expect(q4f16.inputs.slice(0, 4)).toEqual([
      { name: 'inputs_embeds', type: 'float16', shape: ['batch_size', 'sequence_length', 64] },
      { name: 'seqlens_k', type: 'int32', shape: ['batch_size'] },
      { name: 'total_sequence_length', type: 'int32', shape: [] },
      { name: 'past_key_values.0.key', type: 'float16', shape: ['batch_size', 2, 'past_sequence_length', 16] },
    ]);
    // Logits leave in the activation type (no Cast on the GPU); the engine widens fp16 as it reads them.
    expect(q4f16.outputs[0]).toEqual({ name: 'logits', type: 'float16', shape: ['batch_size', 1, 32000] });
    expect(graphs.get('q4')!.decoder.outputs[0]).toEqual({ name: 'logits', type: 'float32', shape: ['batch_size', 1, 32000] });
    expect(q4f16.outputs.map((o) => o.name)).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
  });
});

describe('embed_tokens graphs return the table rows', () => {
  const picked = [0, 1, 31999, 4242, 1];
  const rows = new LlamaReference(config, weights).embed(picked);

  async function lookup(variant: LlamaVariant): Promise<{ type: string; dims: readonly number[]; data: unknown }> {
    const ort = await nodeOrt();
    const session = await openWrittenGraph(dir, graphs.get(variant)!.embedTokens);
    const out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(picked, BigInt), [1, picked.length]) });
    return out.inputs_embeds!;
  }

  it('fp32: exactly', async () => {
    const out = await lookup('fp32');
    expect(out.dims).toEqual([1, 5, 64]);
    expect([...(out.data as Float32Array)]).toEqual([...rows]);
  });

  it('q4: fp16-stored rows widened to fp32', async () => {
    const out = await lookup('q4');
    expect(out.type).toBe('float32');
    expect([...(out.data as Float32Array)]).toEqual([...roundToFloat16InPlace(Float32Array.from(rows))]);
  });

  it('q4f16: fp16 rows', async () => {
    const out = await lookup('q4f16');
    expect(out.type).toBe('float16');
    expect([...fromFloat16Bits(out.data as Uint16Array)]).toEqual([...roundToFloat16InPlace(Float32Array.from(rows))]);
  });
});

describe.each(caches)('decoder with a $kind KV cache', (cache) => {
  it('fp32 matches the reference to 1e-4', async () => {
    const logits = await graphLogits('fp32', cache);
    logits.forEach((row, i) => expect(relativeMaxError(exact[i]!, row)).toBeLessThanOrEqual(1e-4));
  });

  it('q4 matches the reference on dequantized weights to 1e-4, and the fp32 reference to cosine 0.99', async () => {
    const dequantized = referenceLogits(dequantizedLlamaWeights(weights));
    const logits = await graphLogits('q4', cache);
    logits.forEach((row, i) => {
      expect(relativeMaxError(dequantized[i]!, row)).toBeLessThanOrEqual(1e-4);
      expect(cosine(exact[i]!, row)).toBeGreaterThanOrEqual(0.99);
    });
  });

  it('q4f16 runs on wasm: within fp16 precision of the dequantized reference, cosine 0.99 to fp32', async () => {
    const dequantized = referenceLogits(fp16Norms(dequantizedLlamaWeights(weights, { scaleType: 'float16' })));
    const logits = await graphLogits('q4f16', cache);
    logits.forEach((row, i) => {
      expect(relativeMaxError(dequantized[i]!, row)).toBeLessThanOrEqual(3e-3); // measured 6.7e-4
      expect(cosine(exact[i]!, row)).toBeGreaterThanOrEqual(0.99);
    });
  });
});

describe('decoder variants of the same weights', () => {
  it('has q, k and v in one MatMul by default: 5 MatMuls per layer, 7 when told to keep them apart', async () => {
    for (const variant of LLAMA_VARIANTS) {
      const layout = describeDecoderLayout(await readFile(join(dir, graphs.get(variant)!.decoder.model.name)));
      expect(layout, variant).toMatchObject({ layers: 2, matmulsPerLayer: 5, fusedQkv: true, fusedGateUp: false });
      const separate = describeDecoderLayout(await readFile(join(dir, 'separate', separateGraphs.get(variant)!.decoder.model.name)));
      expect(separate, variant).toMatchObject({ layers: 2, matmulsPerLayer: 7, fusedQkv: false, fusedGateUp: false });
      expect(separate.nodesPerLayer - layout.nodesPerLayer, variant).toBe(2);
    }
  });

  it.each(LLAMA_VARIANTS)('%s: the default (fused q/k/v) gives the logits of separate MatMuls on wasm', async (variant) => {
    const cache: KvCacheForm = { kind: 'static', maxSequence: 64 };
    const fused = await graphLogits(variant, cache);
    const separate = await graphLogits(variant, cache, separateGraphs.get(variant)!.decoder, join(dir, 'separate'));
    // Each output column is the same dot product in both forms; fp16 results may differ in their last bit.
    expect(worst(separate, fused)).toBeLessThanOrEqual(variant === 'q4f16' ? 1e-3 : 1e-5);
  });

  it('fused gate/up MatMuls (with q/k/v fused too) give the same logits as separate ones', async () => {
    const fusedDir = await mkdtemp(join(tmpdir(), 'llama-fused-'));
    try {
      const [fused] = await writeLlamaGraphs(config, read, fusedDir, { variants: ['q4'], fuseQkv: true, fuseGateUp: true });
      const session = await DecoderSession.create(await openWrittenGraph(fusedDir, fused!.decoder), config, 'q4');
      const separate = await graphLogits('q4', { kind: 'growing' }, separateGraphs.get('q4')!.decoder, join(dir, 'separate'));
      const embed = new LlamaReference(config, weights);
      expect(relativeMaxError(separate[0]!, await session.step(embed.embed(ids.slice(0, PREFILL))))).toBeLessThanOrEqual(1e-5);
      expect(relativeMaxError(separate[1]!, await session.step(embed.embed([ids[PREFILL]!])))).toBeLessThanOrEqual(1e-5);
    } finally {
      await rm(fusedDir, { recursive: true, force: true });
    }
  });

  it('weights split over several external data chunks load and give the same logits', async () => {
    const chunkedDir = await mkdtemp(join(tmpdir(), 'llama-chunked-'));
    try {
      // The largest tensor (lm_head, 8 MB in fp32) must fit one chunk; everything else spreads over more.
      const [chunked] = await writeLlamaGraphs(config, read, chunkedDir, { variants: ['fp32'], chunkLimitBytes: 8_300_000 });
      expect(chunked!.decoder.data.length).toBeGreaterThanOrEqual(2);
      expect(chunked!.decoder.data[1]!.name).toBe('decoder_model_merged_fp32.onnx_data_1');
      const unchunked = await graphLogits('fp32', { kind: 'growing' });
      const session = await DecoderSession.create(await openWrittenGraph(chunkedDir, chunked!.decoder), config, 'fp32');
      const embed = new LlamaReference(config, weights);
      expect([...(await session.step(embed.embed(ids.slice(0, PREFILL))))]).toEqual([...unchunked[0]!]);
    } finally {
      await rm(chunkedDir, { recursive: true, force: true });
    }
  });

  it('keeps a static cache at its size and writes each step in place', async () => {
    const session = await DecoderSession.create(await openWrittenGraph(dir, graphs.get('fp32')!.decoder), config, 'fp32', {
      kind: 'static',
      maxSequence: 64,
    });
    const embed = new LlamaReference(config, weights);
    await session.step(embed.embed(ids.slice(0, 5)));
    const key = session.present(1, 'key');
    expect(key.dims).toEqual([1, 2, 64, 16]);
    // Rows past the 5 positions written are still zero.
    const row = (head: number, position: number) => key.data.subarray((head * 64 + position) * 16, (head * 64 + position + 1) * 16);
    expect(row(1, 4).some((x) => x !== 0)).toBe(true);
    expect(row(1, 5).every((x) => x === 0)).toBe(true);
  });
});

await describeOnNodeGpu('decoder graph forms on onnxruntime-node WebGPU', () => {
  const GPU_ONLY = { executionProviders: ['webgpu'], extra: { session: { disable_cpu_ep_fallback: '1' } } };

  async function gpuLogits(variant: LlamaVariant, graphDir: string, graph: LlamaGraphs['decoder']): Promise<Float32Array[]> {
    const session = await ortNode.InferenceSession.create(join(graphDir, graph.model.name), GPU_ONLY);
    try {
      // The engine's form of the cache: one buffer for the whole context.
      return await decoderLogits(new DecoderSession(nodeGpuOrt(), session as never, config, variant, { kind: 'static', maxSequence: 64 }));
    } finally {
      await session.release();
    }
  }

  it.each(LLAMA_VARIANTS)('%s: the default (fused q/k/v) gives the logits of separate MatMuls, and of the reference', async (variant) => {
    const fused = await gpuLogits(variant, dir, graphs.get(variant)!.decoder);
    const separate = await gpuLogits(variant, join(dir, 'separate'), separateGraphs.get(variant)!.decoder);
    expect(worst(separate, fused)).toBeLessThanOrEqual(variant === 'q4f16' ? 1e-3 : 1e-5);
    const expected: Record<LlamaVariant, () => Float32Array[]> = {
      fp32: () => exact,
      q4: () => referenceLogits(dequantizedLlamaWeights(weights)),
      q4f16: () => referenceLogits(fp16Norms(dequantizedLlamaWeights(weights, { scaleType: 'float16' }))),
    };
    expect(worst(expected[variant](), fused)).toBeLessThanOrEqual(variant === 'q4f16' ? 3e-3 : 1e-4);
    fused.forEach((row, i) => expect(cosine(exact[i]!, row)).toBeGreaterThanOrEqual(0.99));
  }, 60_000);

  it.each(['q4', 'q4f16'] as const)('%s with symmetric weights (which onnxruntime may fuse) gives the reference on the same dequantized weights', async (variant) => {
    const symmetricDir = await mkdtemp(join(tmpdir(), 'llama-symmetric-'));
    try {
      const [symmetric] = await writeLlamaGraphs(config, read, symmetricDir, { variants: [variant], symmetric: true });
      expect(describeDecoderLayout(await readFile(join(symmetricDir, symmetric!.decoder.model.name)))).toMatchObject({ symmetric: true, fusedQkv: true });
      const logits = await gpuLogits(variant, symmetricDir, symmetric!.decoder);
      const dequantized = dequantizedLlamaWeights(weights, { symmetric: true, ...(variant === 'q4f16' ? { scaleType: 'float16' as const } : {}) });
      const expected = referenceLogits(variant === 'q4f16' ? fp16Norms(dequantized) : dequantized);
      expect(worst(expected, logits)).toBeLessThanOrEqual(variant === 'q4f16' ? 3e-3 : 1e-4);
      logits.forEach((row, i) => expect(cosine(exact[i]!, row)).toBeGreaterThanOrEqual(0.99));
    } finally {
      await rm(symmetricDir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The norms' weights as the q4f16 graph stores them (fp16). */
function fp16Norms(source: Map<string, DenseTensor>): Map<string, DenseTensor> {
  const out = new Map(source);
  for (const [name, tensor] of source) {
    if (tensor.shape.length === 1) out.set(name, { ...tensor, data: fromFloat16Bits(toFloat16Bits(tensor.data)) });
  }
  out.set(llamaNames.embedTokens, source.get(llamaNames.embedTokens)!);
  return out;
}
