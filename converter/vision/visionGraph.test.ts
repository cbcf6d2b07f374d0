/**
 * The vision graphs written from the tiny factory's ORIGINAL files (CLIP safetensors, DepictQA delta with the
 * Abstractor), run by onnxruntime-web's wasm EP, against the TypeScript fp32 reference of the same files, at the
 * sizes DepictQA produces: the smallest (70×70), the trained grid (224×224, no position resize) and resized grids
 * up to the longest side (672).
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/GraphBuilder.ts';
import type { WrittenGraph } from '../onnx/ModelWriter.ts';
import { fromFloat16Bits } from '../onnx/float16.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';
import { projectFeatures, type VisionPathReference } from '../../tools/oracles/clip.ts';
import { cosine, relativeMaxError } from '../../tools/testing/errorMetrics.ts';
import type { LlamaVariant } from '../llama/variants.ts';
import { writeVisionGraphs } from './convertVision.ts';
import { openTinyVision, randomPixels, visionReference, type TinyVision } from './testing/tinyVision.ts';
import { positionResizeAttributes } from './visionGraph.ts';
import { visionVariantSpecs, visionWeightBytes } from './visionVariants.ts';

type Kind = 'patches' | 'abstractor';
const SIZES: Array<[number, number]> = [
  [70, 70],
  [224, 224],
  [224, 336],
  [98, 672],
  [672, 224],
];
const VARIANTS: Record<Kind, LlamaVariant[]> = { patches: ['fp32', 'q4', 'q4f16'], abstractor: ['fp32', 'q4'] };

let root: string;
let vision: TinyVision;
const written = new Map<string, { dir: string; graph: WrittenGraph }>();
/** fp32 reference, and the reference with the q4 variant's (8-bit) weights, by kind. */
const references = new Map<string, VisionPathReference>();
/** The fp32 reference's features by kind and size, computed once. */
const expected = new Map<string, Float32Array>();

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'vision-graphs-'));
  vision = await openTinyVision(root, 5);
  for (const kind of ['patches', 'abstractor'] as const) {
    const plan = vision.plan(kind === 'abstractor');
    const dir = join(root, kind);
    await mkdir(dir);
    for (const { variant, graph } of await writeVisionGraphs(vision.clip.checkpoint, plan, dir, { variants: VARIANTS[kind] })) {
      written.set(`${kind}/${variant}`, { dir, graph });
    }
    references.set(kind, visionReference(vision.weights, plan.model));
    references.set(`${kind}/q4`, visionReference(vision.weights, plan.model, visionVariantSpecs.q4));
  }
}, 120_000);
afterAll(async () => {
  await vision.close();
  await rm(root, { recursive: true, force: true });
});

async function runGraph(kind: Kind, variant: LlamaVariant, pixels: Float32Array, height: number, width: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const { dir, graph } = written.get(`${kind}/${variant}`)!;
  const ort = await nodeOrt();
  const session = await openWrittenGraph(dir, graph);
  try {
    const { image_features: features } = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, height, width]) });
    const data = features!.type === 'float16' ? fromFloat16Bits(features!.data as Uint16Array) : (features!.data as Float32Array);
    return { data, dims: features!.dims };
  } finally {
    await session.release();
  }
}

/** The reference's image features; the tower's patch features are computed once per input for both kinds. */
function reference(kind: Kind, pixels: Float32Array, height: number, width: number, weights: '' | '/q4' = ''): Float32Array {
  const key = `${kind}${weights}/${height}x${width}`;
  if (!expected.has(key)) {
    const towerKey = `tower${weights}/${height}x${width}`;
    const path = references.get(`${kind}${weights}`)!;
    if (!expected.has(towerKey)) expected.set(towerKey, path.tower.patchFeatures(pixels, height, width));
    expected.set(key, projectFeatures(path, expected.get(towerKey)!, (height / 14) * (width / 14)));
  }
  return expected.get(key)!;
}

describe('vision graph files', () => {
  it('declare pixel_values [1, 3, height, width] and image_features in the activation type, with their data chunks', async () => {
    const q4f16 = written.get('patches/q4f16')!;
    expect(q4f16.graph.model.name).toBe('vision_encoder_q4f16.onnx');
    expect(q4f16.graph.data.map((file) => file.name)).toEqual(['vision_encoder_q4f16.onnx_data']);
    expect(q4f16.graph.inputs).toEqual([{ name: 'pixel_values', type: 'float32', shape: [1, 3, 'height', 'width'] }]);
    expect(q4f16.graph.outputs).toEqual([{ name: 'image_features', type: 'float16', shape: [1, 'num_image_tokens', 64] }]);
    expect(written.get('abstractor/q4')!.graph.outputs).toEqual([{ name: 'image_features', type: 'float32', shape: [1, 64, 64] }]);
    for (const { dir, graph } of written.values()) {
      for (const file of [graph.model, ...graph.data]) expect((await stat(join(dir, file.name))).size).toBe(file.bytes);
    }
    // The size estimate counts the weights exactly as written.
    for (const [key, { graph }] of written) {
      const [kind, variant] = key.split('/') as [Kind, LlamaVariant];
      const bytes = graph.data.reduce((sum, file) => sum + file.bytes, 0);
      expect(bytes, key).toBe(visionWeightBytes(vision.plan(kind === 'abstractor').model, visionVariantSpecs[variant]));
    }
  });
});

describe.each(['patches', 'abstractor'] as const)('vision graph (%s) vs the reference', (kind) => {
  it.each(SIZES)('%i×%i: fp32 within 1e-4, q4 at cosine ≥ 0.99', async (height, width) => {
    const pixels = randomPixels(height, width, height * 1000 + width);
    const want = reference(kind, pixels, height, width);
    const tokens = kind === 'abstractor' ? 64 : (height / 14) * (width / 14);
    const fp32 = await runGraph(kind, 'fp32', pixels, height, width);
    expect(fp32.dims).toEqual([1, tokens, 64]);
    expect(relativeMaxError(want, fp32.data)).toBeLessThan(1e-4);
    const q4 = await runGraph(kind, 'q4', pixels, height, width);
    expect(cosine(want, q4.data)).toBeGreaterThan(0.99);
    if (kind === 'patches') expect(cosine(want, (await runGraph(kind, 'q4f16', pixels, height, width)).data)).toBeGreaterThan(0.99);
  }, 30_000);
});

describe('quantized vision graphs', () => {
  it.each([
    [224, 336],
    [98, 672],
  ])('q4 computes exactly with its 8-bit weights (%i×%i, within 1e-4 of a reference using them)', async (height, width) => {
    for (const kind of ['patches', 'abstractor'] as const) {
      const pixels = randomPixels(height, width, height * 1000 + width);
      const want = reference(kind, pixels, height, width, '/q4');
      expect(relativeMaxError(want, (await runGraph(kind, 'q4', pixels, height, width)).data), kind).toBeLessThan(1e-4);
    }
  }, 30_000);
});

describe('position resize', () => {
  it("is the identity, bit for bit, for the trained 16×16 grid (DepictQA skips it at 224×224)", async () => {
    const ort = await nodeOrt();
    const g = new GraphBuilder('resize_identity');
    g.input('grid', 'float32', [1, 64, 16, 16]);
    g.input('sizes', 'int64', [2]);
    g.node('Resize', ['grid', '', '', 'sizes'], ['resized'], { attributes: positionResizeAttributes() });
    g.output('resized', 'float32', [1, 64, 'h', 'w']);
    const session = await ort.InferenceSession.create(g.toBytes({ opsets: [{ domain: '', version: 18 }] }), { executionProviders: ['wasm'] });
    const grid = randomPixels(16, 16 * 64 / 3, 3).subarray(0, 64 * 256);
    const same = await session.run({ grid: new ort.Tensor('float32', grid, [1, 64, 16, 16]), sizes: new ort.Tensor('int64', BigInt64Array.of(16n, 16n), [2]) });
    expect(Buffer.from((same.resized!.data as Float32Array).buffer).equals(Buffer.from(grid.slice().buffer))).toBe(true);
    const other = await session.run({ grid: new ort.Tensor('float32', grid, [1, 64, 16, 16]), sizes: new ort.Tensor('int64', BigInt64Array.of(5n, 48n), [2]) });
    expect(other.resized!.dims).toEqual([1, 64, 5, 48]);
  });
});
