/**
 * The engine's GPU path in Node: onnxruntime-node's WebGPU EP on a real driver (Mesa's lavapipe in CI), the same
 * kernels as onnxruntime-web/webgpu in the browser. The q4f16 variant, which every GPU with shader-f16 picks,
 * runs here as it would on a user's GPU: its graphs are placed entirely on the GPU, its logits and image rows are
 * checked against the fp32 references, and the engine's greedy tokens against the CPU path's.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ortNode from 'onnxruntime-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphsFor, VARIANTS, type BundleManifest, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { createSampler, softmaxAt } from '../../src/core/generation/sampler.ts';
import { IMAGE_SLOTS, slotsRead, type ImageSlotId, type TaskId } from '../../src/core/tasks.ts';
import { preprocessImage } from '../../src/core/vision/preprocess.ts';
import { DEPICTQA_WILD_RULE } from '../../src/core/vision/resizeRule.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import { OnnxImageEncoder } from '../../src/engine/vision/ImageEncoder.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { cosine, relativeMaxError } from '../../tools/testing/errorMetrics.ts';
import { DecoderSession } from '../../converter/llama/testing/decoderSession.ts';
import { decodeImageBytes } from '../image/decode.ts';
import { GraphBuilder } from '../../converter/onnx/GraphBuilder.ts';
import { nodeOrt } from './ortNode.ts';
import { LlamaReference } from '../../tools/oracles/llama.ts';
import { spreadTokenIds } from '../../tools/oracles/randomLlama.ts';
import { parseAskArgs } from './askArgs.ts';
import { nodeGpuOrt } from './nodeGpu.ts';
import { createNodeEngine } from './nodeHost.ts';
import { runAsk } from './runAsk.ts';
import { fixedRowsEncoder } from './testing/fixedRowsEncoder.ts';
import { describeOnNodeGpu } from './testing/nodeGpuSuite.ts';
import { randomSlotImages } from './testing/testImages.ts';
import { buildTinyBundle, mergedWeights, referenceFor, visionReferenceFor, type TinyBundle } from './testing/tinyBundle.ts';

const GPU_ONLY = { executionProviders: ['webgpu'], extra: { session: { disable_cpu_ep_fallback: '1' } } };
const PREFILL = 20;
const NEW_TOKENS = 8;
/** q4 logits on the GPU against the CPU's for the same prefix, relative to the row's largest magnitude. */
const Q4_GPU_ROUNDING = 1e-4;

let root: string;
let bundle: TinyBundle;
let manifest: BundleManifest;
let merged: Map<string, DenseTensor>;
const images = {} as Record<ImageSlotId, ImageInput>;
const engines: Engine[] = [];

await describeOnNodeGpu('the engine on onnxruntime-node WebGPU', (capabilities) => {
  beforeAll(async () => {
    await nodeOrt();
    root = await mkdtemp(join(tmpdir(), 'depictqa-node-webgpu-'));
    bundle = await buildTinyBundle(root, ['fp32', 'q4', 'q4f16'], { seed: 5, vision: true });
    manifest = JSON.parse(await readFile(join(bundle.bundleDir, 'manifest.json'), 'utf8')) as BundleManifest;
    merged = await mergedWeights(bundle);
    Object.assign(images, await randomSlotImages({ reference: [70, 84], a: [98, 70], b: [84, 84] }, 41));
  }, 120_000);

  afterAll(async () => {
    for (const engine of engines) await engine.unload();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  const graphPath = (variant: BundleVariant, role: 'embed_tokens' | 'decoder' | 'vision_encoder') =>
    join(bundle.bundleDir, graphsFor(manifest, variant).get(role)!.path);

  it('finds an adapter with shader-f16, so the engine picks q4f16 as a browser on that GPU would', () => {
    expect(capabilities.adapter?.hasShaderF16).toBe(true);
    expect(capabilities.variant).toBe('q4f16');
  });

  it.each(VARIANTS.flatMap((variant) => (['embed_tokens', 'decoder', 'vision_encoder'] as const).map((role) => [variant, role] as const)))(
    '%s %s: every node runs on the WebGPU EP (CPU fallback disabled)',
    async (variant, role) => {
      const session = await ortNode.InferenceSession.create(graphPath(variant, role), GPU_ONLY);
      await session.release();
    },
  );

  it('npm run ask --device webgpu --json answers on the GPU with q4f16 and names the adapter', async () => {
    const dir = join(root, 'images');
    await mkdir(dir, { recursive: true });
    const paths = { reference: join(dir, 'reference.png'), a: join(dir, 'a.png') };
    await writeFile(paths.reference, images.reference.bytes);
    await writeFile(paths.a, images.a.bytes);
    const out: string[] = [];
    const ask = ['--bundle', bundle.bundleDir, '--task', 'description', '--ref', paths.reference, '--a', paths.a, '--max-new-tokens', '4', '--device', 'webgpu', '--json'];
    const result = await runAsk(parseAskArgs([...ask, '--count-dispatches']), { out: (text) => out.push(text), err: () => undefined });
    const record = JSON.parse(out.join(''));
    const { vendor, architecture, description } = capabilities.adapter!;
    expect(record).toMatchObject({ device: 'webgpu', variant: 'q4f16', adapter: { vendor, architecture, description }, ids: result.ids });
    expect(record.model).toEqual({ variant: 'q4f16', backend: 'webgpu' });
    expect(result.ids).toHaveLength(4);
    // Decode steps run one by one here: onnxruntime-node's own refusal is the reason. Its dispatches are counted.
    expect(record.decode).toMatchObject({ graphCapture: false, reason: expect.stringMatching(/onnxruntime-node/) });
    expect(record.decode.dispatchesPerStep).toBeGreaterThan(10);
    expect(record.decode.hostMsPerStep).toBeGreaterThan(0);
    console.log(`ask --device webgpu: ${record.decode.dispatchesPerStep} dispatches per decode step; not captured: ${record.decode.reason}`);
    // --no-graph-capture: the same tokens, and the record says it was turned off.
    out.length = 0;
    await runAsk(parseAskArgs([...ask, '--no-graph-capture']), { out: (text) => out.push(text), err: () => undefined });
    const off = JSON.parse(out.join(''));
    expect(off.ids).toEqual(record.ids);
    expect(off.decode).toMatchObject({ graphCapture: false, reason: 'turned off', dispatchesPerStep: null });
  }, 120_000);

  it('a graph with a node the WebGPU EP cannot run fails to open with CPU fallback disabled', async () => {
    // int64 arithmetic has no WebGPU kernel: the control that shows the placement check above can fail.
    const graph = new GraphBuilder('int64_sub');
    graph.input('a', 'int64', [2]);
    graph.input('b', 'int64', [2]);
    graph.node('Sub', ['a', 'b'], ['c']);
    graph.output('c', 'int64', [2]);
    const bytes = graph.toBytes({ opsets: [{ domain: '', version: 17 }] });
    await expect(ortNode.InferenceSession.create(bytes, GPU_ONLY)).rejects.toThrow();
    await (await ortNode.InferenceSession.create(bytes, { executionProviders: ['webgpu'] })).release();
  });

  it('decoder logits on the GPU match the references: fp32 exactly, q4 and q4f16 strictly to their dequantized weights', async () => {
    const ids = spreadTokenIds(PREFILL + NEW_TOKENS, bundle.config.vocab_size);
    const exact = referenceLogits(new LlamaReference(bundle.config, merged), ids);
    const measured: string[] = [];
    // Strict bound against the variant's own weights; cosine against the unquantized model.
    const bounds: Record<BundleVariant, { strict: number; cosine: number }> = {
      fp32: { strict: 1e-4, cosine: 0.999999 },
      q4: { strict: 1e-4, cosine: 0.99 },
      q4f16: { strict: 5e-3, cosine: 0.99 },
    };
    for (const variant of VARIANTS) {
      const dequantized = referenceLogits(referenceFor(bundle, merged, variant), ids);
      const session = await ortNode.InferenceSession.create(graphPath(variant, 'decoder'), GPU_ONLY);
      // The engine's form of the cache: one buffer for the whole context, written in place by GroupQueryAttention.
      const decoder = new DecoderSession(nodeGpuOrt(), session as never, bundle.config, variant, { kind: 'static', maxSequence: 64 });
      const embed = new LlamaReference(bundle.config, merged);
      const rows = [await decoder.step(embed.embed(ids.slice(0, PREFILL)))];
      for (const id of ids.slice(PREFILL)) rows.push(await decoder.step(embed.embed([id])));
      await session.release();
      const strict = Math.max(...rows.map((row, i) => relativeMaxError(dequantized[i]!, row)));
      const similarity = Math.min(...rows.map((row, i) => cosine(exact[i]!, row)));
      measured.push(`${variant}: max relative error ${strict.toExponential(2)} to its weights, min cosine ${similarity.toFixed(6)} to fp32`);
      expect(strict, variant).toBeLessThanOrEqual(bounds[variant].strict);
      expect(similarity, variant).toBeGreaterThanOrEqual(bounds[variant].cosine);
    }
    console.log(`Decoder logits on the GPU (${PREFILL}-token prefill, then ${NEW_TOKENS} steps):\n  ${measured.join('\n  ')}`);
  }, 60_000);

  it('image rows of the vision graph on the GPU match the vision reference', async () => {
    const pixels = preprocessImage(await decodeImageBytes(images.a.bytes, images.a.name), DEPICTQA_WILD_RULE);
    const exact = (await visionReferenceFor(bundle, 'fp32'))(pixels.pixelValues, pixels.padded.height, pixels.padded.width);
    const measured: string[] = [];
    for (const variant of VARIANTS) {
      const expected = (await visionReferenceFor(bundle, variant))(pixels.pixelValues, pixels.padded.height, pixels.padded.width);
      const graph = graphsFor(manifest, variant).get('vision_encoder')!;
      const session = await ortNode.InferenceSession.create(join(bundle.bundleDir, graph.path), GPU_ONLY);
      const encoder = new OnnxImageEncoder(nodeGpuOrt(), session as never, graph, manifest.vision!);
      const { rows } = await encoder.encode(pixels);
      await encoder.dispose();
      const strict = relativeMaxError(expected, rows);
      const similarity = cosine(exact, rows);
      measured.push(`${variant}: max relative error ${strict.toExponential(2)} to its weights, cosine ${similarity.toFixed(6)} to fp32`);
      expect(strict, variant).toBeLessThanOrEqual(variant === 'q4f16' ? 5e-3 : 1e-4);
      expect(similarity, variant).toBeGreaterThanOrEqual(0.99);
    }
    console.log(`Vision rows on the GPU (${pixels.padded.width}×${pixels.padded.height}):\n  ${measured.join('\n  ')}`);
  }, 60_000);

  const prompts: Array<[TaskId, boolean]> = [
    ['description', false],
    ['description', true],
    ['comparison', false],
    ['comparison', true],
    ['reasoning', true],
    ['distortion', true],
  ];

  async function answers(device: 'webgpu' | 'cpu', variant: BundleVariant, sampler?: EngineHost['sampler']): Promise<number[][]> {
    const engine = createNodeEngine({ imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize), ...(sampler ? { sampler } : {}) }, device);
    engines.push(engine);
    const model = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant, maxContext: 512 });
    expect(model).toMatchObject({ variant, backend: device === 'webgpu' ? 'webgpu' : 'wasm' });
    const ids = {} as Record<ImageSlotId, string>;
    for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
    const out: number[][] = [];
    for (const [task, hasReference] of prompts) {
      const slots = slotsRead(task, hasReference ? IMAGE_SLOTS : ['a', 'b']);
      const request = { task, images: Object.fromEntries(slots.map((slot) => [slot, ids[slot]])), question: { index: 1 }, maxNewTokens: NEW_TOKENS };
      out.push((await engine.generate(request)).ids);
    }
    await engine.unload();
    return out;
  }

  it("q4 on the GPU follows the CPU (wasm) path: the same logits to rounding at every step, and the CPU's greedy tokens but for near-ties", async () => {
    const gpuSteps: Float32Array[][] = [];
    const gpu = await answers('webgpu', 'q4', recordingSamplers(gpuSteps));
    // The CPU path is fed the GPU's tokens, so that both compute every step from the same prefix.
    const cpuSteps: Float32Array[][] = [];
    expect(await answers('cpu', 'q4', recordingSamplers(cpuSteps, gpu))).toEqual(gpu);
    let worst = 0;
    let own = 0;
    prompts.forEach(([task, hasReference], i) => {
      expect(cpuSteps[i]!.length).toBe(gpu[i]!.length);
      for (const [position, cpuRow] of cpuSteps[i]!.entries()) {
        const error = relativeMaxError(cpuRow, gpuSteps[i]![position]!);
        expect(error, `${task}, reference ${hasReference}, token ${position}`).toBeLessThanOrEqual(Q4_GPU_ROUNDING);
        worst = Math.max(worst, error);
        if (greedyToken(cpuRow, gpu[i]!.slice(0, position)) === gpu[i]![position]) own++;
      }
    });
    // Where the GPU's token is not the CPU's own choice, the two logits lie closer than the rows' difference: the
    // tiny model's random weights make such near-ties common.
    const total = gpu.flat().length;
    console.log(`q4 on the GPU vs the CPU: logits within ${worst.toExponential(2)} of each row's scale; ${own}/${total} GPU tokens are the CPU's greedy choice, the rest near-ties`);
  }, 120_000);

  // fp16 activations and KV cache round differently when a prompt is prefilled in other pieces: 2e-3 is fp16's
  // precision; with fp32 activations (q4) the letters agree to 1e-4 relative. Both are far within 1e-4 absolute.
  it.each([
    ['q4', 1e-4],
    ['q4f16', 2e-3],
  ] as const)('a ranking on the GPU (%s) gives the same letters with the KV cache reused (A shared) as with every order from scratch', async (variant, relative) => {
    const engine = createNodeEngine({ imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize) }, 'webgpu');
    engines.push(engine);
    await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant, maxContext: 512 });
    const ids = {} as Record<ImageSlotId, string>;
    for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
    const orders = async (reuse: boolean) => {
      const out: Array<{ first: number; second: number; pA: number; pB: number; reused: number }> = [];
      await engine.rank({ reference: ids.reference, candidates: [ids.a, ids.b, ids.reference], mode: 'allPairs', reuse }, (event) => {
        if (event.type === 'comparison') out.push({ first: event.first, second: event.second, pA: event.pA, pB: event.pB, reused: event.work.reusedPositions });
      });
      return out;
    };
    const reused = await orders(true);
    const scratch = await orders(false);
    expect(reused[1]!.reused).toBeGreaterThan(reused[2]!.reused);
    expect(scratch.every((order) => order.reused === 0)).toBe(true);
    let worst = 0;
    for (const [k, order] of reused.entries()) {
      expect([scratch[k]!.first, scratch[k]!.second]).toEqual([order.first, order.second]);
      for (const letter of ['pA', 'pB'] as const) {
        expect(Math.abs(order[letter] - scratch[k]![letter]), `order ${k} ${letter}`).toBeLessThan(1e-4);
        const error = Math.abs(Math.log(order[letter] / scratch[k]![letter]));
        expect(error, `order ${k} ${letter}`).toBeLessThan(relative);
        worst = Math.max(worst, error);
      }
    }
    console.log(`ranking on the GPU (${variant}), reused vs scratch: letters within ${worst.toExponential(2)} (log ratio)`);
    await engine.unload();
  }, 120_000);

  it('q4f16 greedy tokens on the GPU: how often they agree with q4', async () => {
    const half = await answers('webgpu', 'q4f16');
    const full = await answers('webgpu', 'q4');
    let same = 0;
    let firstSame = 0;
    prompts.forEach((_, i) => {
      const a = half[i]!;
      const b = full[i]!;
      same += a.filter((id, j) => id === b[j]).length;
      if (a[0] === b[0]) firstSame++;
    });
    const total = prompts.length * NEW_TOKENS;
    console.log(`q4f16 vs q4 greedy tokens (random weights, ${prompts.length} prompts × ${NEW_TOKENS}): ${same}/${total} positions agree; first token ${firstSame}/${prompts.length}`);
    // Every answer is a full answer of the same length; the first token comes from the same prompt through both.
    expect(half.map((ids) => ids.length)).toEqual(full.map((ids) => ids.length));
    expect(firstSame).toBeGreaterThanOrEqual(prompts.length - 1);
  }, 120_000);
});

function referenceLogits(model: LlamaReference, ids: number[]): Float32Array[] {
  const rows = [model.forwardLast(ids.slice(0, PREFILL))];
  for (const id of ids.slice(PREFILL)) rows.push(model.forwardLast([id]));
  return rows;
}

/**
 * The engine's samplers for one `answers` run: each answer's logits rows, step by step, go to `steps`; the tokens
 * are the greedy ones, or `forced[answer]`'s. A brief answer's question asked again (for its confidence) is left alone.
 */
function recordingSamplers(steps: Float32Array[][], forced?: readonly number[][]): EngineHost['sampler'] {
  return (sampling, prompt) => {
    if (prompt.questionIndex === null) return undefined;
    const rows: Float32Array[] = [];
    const tokens = forced?.[steps.length];
    steps.push(rows);
    const own = createSampler(sampling, { greedyProbability: true });
    return {
      options: own.options,
      sample(logits, generated = []) {
        rows.push(Float32Array.from(logits));
        if (tokens === undefined) return own.sample(logits, generated);
        const tokenId = tokens[generated.length];
        if (tokenId === undefined) throw new Error(`the answer went on past the ${tokens.length} tokens it follows`);
        return { tokenId, probability: softmaxAt(logits, [tokenId])[0]! };
      },
    };
  };
}

/** The greedy sampler's token for one logits row. */
function greedyToken(logits: Float32Array, generated: readonly number[]): number {
  return createSampler().sample(logits, generated).tokenId;
}
