/**
 * `convertBundle` with `--clip` on the tiny factory's checkpoints (with and without the Abstractor): the manifest's
 * vision section, vision graphs that load and agree with the reference of the original files, no vision without
 * --clip, and the refusals of bad CLIP inputs and mismatched vision tensors in the delta.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphsFor } from '../src/core/bundle/manifest.ts';
import type { AppError } from '../src/core/errors.ts';
import { tinyVisionSpec } from '../src/core/bundle/testing/visionSpec.ts';
import { denseSource, openCheckpoint, writeSafetensors, writeTorchZip } from './checkpoint/index.ts';
import type { DenseTensor } from './checkpoint/types.ts';
import { fromFloat16Bits } from './onnx/float16.ts';
import { nodeOrt } from '../cli/host/ortNode.ts';
import { referenceImageFeatures } from '../tools/oracles/clip.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from '../tools/tiny/makeTinyCheckpoint.ts';
import { parseConvertArgs } from './args.ts';
import { convertBundle, type ConvertOptions } from './convertBundle.ts';
import { SILENT_PROGRESS } from './progress.ts';
import { cosine, relativeMaxError } from '../tools/testing/errorMetrics.ts';
import { readBundleManifest } from '../cli/host/folderBundle.ts';
import { openBundleGraph } from './testing/bundleRunner.ts';
import { randomPixels, visionReference } from './vision/testing/tinyVision.ts';
import { visionVariantSpecs } from './vision/visionVariants.ts';

const TORCHSCRIPT = resolve(import.meta.dirname, 'vision/fixtures/ViT-tiny-torchscript.pt');

let root: string;
let plain: TinyCheckpoint;
let withAbstractor: TinyCheckpoint;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'depictqa-vision-bundle-'));
  plain = await makeTinyCheckpoint({ out: join(root, 'plain'), seed: 21 });
  withAbstractor = await makeTinyCheckpoint({ out: join(root, 'abstractor'), seed: 22, abstractor: true });
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

/** The tiny model's inputs; the Abstractor model's with its config.yaml, which its image rule needs. */
function options(tiny: TinyCheckpoint, out: string, extra: Partial<ConvertOptions> = {}): ConvertOptions {
  const config = tiny === withAbstractor ? { config: tiny.configPath } : {};
  return { llm: tiny.llmDir, delta: tiny.deltaPath, clip: tiny.clipDir, out: join(root, out), variants: ['q4'], progress: SILENT_PROGRESS, ...config, ...extra };
}

/** The tensors of the original CLIP and delta files, for the reference. */
async function originalWeights(tiny: TinyCheckpoint): Promise<Map<string, DenseTensor>> {
  const weights = new Map<string, DenseTensor>();
  for (const path of [tiny.clipDir, tiny.deltaPath]) {
    const checkpoint = await openCheckpoint(path);
    for (const [name, entry] of checkpoint.tensors) weights.set(name, { dtype: 'F32', shape: entry.shape, data: await entry.read() });
    await checkpoint.close();
  }
  return weights;
}

/** Runs a bundle's q4 vision graph on one image. */
async function runBundleVision(bundle: string, pixels: Float32Array, height: number, width: number): Promise<Float32Array> {
  const manifest = await readBundleManifest(bundle);
  const ort = await nodeOrt();
  const session = await openBundleGraph(bundle, graphsFor(manifest, 'q4').get('vision_encoder')!);
  const { image_features: features } = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, height, width]) });
  await session.release();
  return features!.type === 'float16' ? fromFloat16Bits(features!.data as Uint16Array) : (features!.data as Float32Array);
}

describe('convertBundle --clip', () => {
  it('records the vision section and a vision graph per variant that matches the reference of the original files', async () => {
    const { manifest, plan } = await convertBundle(options(plain, 'bundle-plain', { variants: ['q4', 'q4f16'] }));
    expect(plan.vision?.clip.hidden_size).toBe(64);
    expect(manifest!.vision).toEqual(tinyVisionSpec({ weights: { q4: 'int8', q4f16: 'int8' } }));
    const bundle = join(root, 'bundle-plain');
    const reread = await readBundleManifest(bundle);
    const q4f16 = graphsFor(reread, 'q4f16').get('vision_encoder')!;
    expect(q4f16).toMatchObject({ path: 'onnx/vision_encoder_q4f16.onnx', externalData: ['onnx/vision_encoder_q4f16.onnx_data'], requires: ['shader-f16'] });
    expect(q4f16.outputs).toEqual([{ name: 'image_features', dtype: 'float16', shape: [1, 'num_image_tokens', 64] }]);
    expect(reread.files.map((file) => file.path)).toContain('onnx/vision_encoder_q4.onnx_data');
    expect(readdirSync(join(bundle, 'onnx')).filter((name) => name.startsWith('vision_encoder_')).sort()).toEqual([
      'vision_encoder_q4.onnx',
      'vision_encoder_q4.onnx_data',
      'vision_encoder_q4f16.onnx',
      'vision_encoder_q4f16.onnx_data',
    ]);

    const [height, width] = [224, 336];
    const pixels = randomPixels(height, width, 1);
    const got = await runBundleVision(bundle, pixels, height, width);
    const weights = await originalWeights(plain);
    const model = plan.vision!;
    expect(relativeMaxError(referenceImageFeatures(visionReference(weights, model, visionVariantSpecs.q4), pixels, height, width), got)).toBeLessThan(1e-4);
    expect(cosine(referenceImageFeatures(visionReference(weights, model), pixels, height, width), got)).toBeGreaterThan(0.99);
  }, 60_000);

  it('converts the Abstractor model with its config.yaml: 64 rows per image whatever its size, images resized to 1024 / 2048', async () => {
    const { manifest, plan } = await convertBundle(options(withAbstractor, 'bundle-abstractor'));
    expect(manifest!.vision).toMatchObject({
      abstractor: { numQueries: 64, numLayers: 4, numHeads: 8, intermediateSize: 128 },
      imageTokens: { rule: 'queries', count: 64 },
      patchSize: 14,
      preprocess: { resizeShortSide: 1024, resizeLongSide: 2048, minPaddedSide: 70 },
    });
    expect(plan.imageRule).toEqual({ resizeShortSide: 1024, resizeLongSide: 2048, minPaddedSide: 70, patchSize: 14 });
    expect(graphsFor(manifest!, 'q4').get('vision_encoder')!.outputs[0]!.shape).toEqual([1, 64, 64]);
    const [height, width] = [98, 672];
    const pixels = randomPixels(height, width, 2);
    const got = await runBundleVision(join(root, 'bundle-abstractor'), pixels, height, width);
    expect(got.length).toBe(64 * 64);
    const reference = referenceImageFeatures(visionReference(await originalWeights(withAbstractor), plan.vision!), pixels, height, width);
    expect(cosine(reference, got)).toBeGreaterThan(0.99);
  }, 60_000);

  it('without --clip writes no vision graph, and the manifest says so', async () => {
    const { manifest, plan } = await convertBundle(options(plain, 'bundle-no-vision', { clip: undefined }));
    expect(plan.vision).toBeNull();
    expect(manifest!.vision).toBeNull();
    expect(manifest!.model.source).toContain('no vision encoder');
    expect(manifest!.graphs.some((graph) => graph.role === 'vision_encoder')).toBe(false);
    expect(JSON.parse(await readFile(join(root, 'bundle-no-vision', 'manifest.json'), 'utf8')).vision).toBeNull();
  }, 60_000);

  it('parses --clip, --config and --abstractor-heads', () => {
    const parsed = parseConvertArgs(['--llm', 'l', '--delta', 'd', '--clip', 'c', '--config', 'y.yaml', '--out', 'o', '--abstractor-heads', '4']);
    expect(parsed).toMatchObject({ clip: 'c', config: 'y.yaml', abstractorHeads: 4 });
    expect(parseConvertArgs(['--llm', 'l', '--delta', 'd', '--out', 'o']).clip).toBeUndefined();
  });
});

/** A private copy of a tiny checkpoint to damage. */
function copyOf(tiny: TinyCheckpoint, name: string): { clip: string; delta: string } {
  const dir = join(root, name);
  cpSync(join(tiny.clipDir, '..'), dir, { recursive: true });
  return { clip: join(dir, 'clip'), delta: join(dir, 'delta', 'ckpt.pt') };
}

async function rewrite(path: string, dtype: 'F16' | 'F32', edit: (tensors: Map<string, DenseTensor>) => void, write: (path: string, tensors: Map<string, DenseTensor>) => Promise<void>) {
  const checkpoint = await openCheckpoint(path);
  const tensors = new Map<string, DenseTensor>();
  for (const [name, entry] of checkpoint.tensors) tensors.set(name, { dtype, shape: entry.shape, data: await entry.read() });
  await checkpoint.close();
  edit(tensors);
  await write(path, tensors);
}
const writeDelta = (path: string, tensors: Map<string, DenseTensor>) => writeTorchZip(path, [...tensors].map(([name, tensor]) => denseSource(name, tensor)));
const writeClip = (path: string, tensors: Map<string, DenseTensor>) => writeSafetensors(path, [...tensors].map(([name, tensor]) => denseSource(name, tensor)));

async function expectRefusal(input: Partial<ConvertOptions>, tiny: TinyCheckpoint, code: string, message: RegExp) {
  const out = `refused-${Math.random().toString(36).slice(2)}`;
  const error = await convertBundle(options(tiny, out, input)).catch((caught: unknown) => caught);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain('\n');
  expect(existsSync(join(root, out))).toBe(false);
}

describe('convertBundle --clip refuses bad vision inputs with one line, and writes nothing', () => {
  it("OpenAI's TorchScript CLIP archive, as a file or alone in a folder, pointing to the Hugging Face weights", async () => {
    const error = await convertBundle(options(plain, 'torchscript', { clip: TORCHSCRIPT })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CHECKPOINT_INVALID', hint: expect.stringMatching(/openai\/clip-vit-large-patch14/) });
    expect((error as Error).message).toMatch(/ViT-tiny-torchscript\.pt: a TorchScript archive/);
    const folder = join(root, 'openai-folder');
    cpSync(TORCHSCRIPT, join(folder, 'ViT-L-14.pt'));
    await expectRefusal({ clip: folder }, plain, 'CHECKPOINT_INVALID', /ViT-L-14\.pt: a TorchScript archive/);
  });

  it('a CLIP config with another patch size, or another activation', async () => {
    const input = copyOf(plain, 'patch16');
    const configPath = join(input.clip, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8'));
    writeFileSync(configPath, JSON.stringify({ ...config, patch_size: 16 }));
    await expectRefusal({ clip: input.clip }, plain, 'CHECKPOINT_INVALID', /config\.json: patch_size 16 is not 14/);
    writeFileSync(configPath, JSON.stringify({ ...config, hidden_act: 'gelu' }));
    await expectRefusal({ clip: input.clip }, plain, 'CHECKPOINT_INVALID', /hidden_act "gelu"/);
    writeFileSync(configPath, JSON.stringify({ model_type: 'clip', vision_config: { ...config, num_attention_heads: undefined } }));
    await expectRefusal({ clip: input.clip }, plain, 'CHECKPOINT_INVALID', /\(vision_config\): "num_attention_heads" is missing/);
  });

  it('CLIP weights with a tensor missing, or in the OpenAI layout', async () => {
    const input = copyOf(plain, 'missing-clip-key');
    const weights = join(input.clip, 'model.safetensors');
    await rewrite(weights, 'F32', (tensors) => tensors.delete('vision_model.encoder.layers.1.mlp.fc2.weight'), writeClip);
    await expectRefusal({ clip: input.clip }, plain, 'CHECKPOINT_INVALID', /model\.safetensors: vision_model\.encoder\.layers\.1\.mlp\.fc2\.weight is missing/);
    await rewrite(weights, 'F32', (tensors) => {
      for (const name of [...tensors.keys()]) {
        tensors.set(name.replace('vision_model.', 'visual.'), tensors.get(name)!);
        tensors.delete(name);
      }
    }, writeClip);
    await expectRefusal({ clip: input.clip }, plain, 'CHECKPOINT_INVALID', /no vision_model\.\* tensors \(visual\.\* names/);
  });

  it('a projector that does not map CLIP to the LLM, and a delta without one', async () => {
    const input = copyOf(plain, 'projector');
    await rewrite(input.delta, 'F16', (tensors) => tensors.set('vision_proj.weight', { dtype: 'F16', shape: [64, 32], data: new Float32Array(64 * 32) }), writeDelta);
    await expectRefusal({ delta: input.delta }, plain, 'DELTA_SHAPE_MISMATCH', /ckpt\.pt: vision_proj\.weight is \[64, 32\] but the projector from CLIP \(hidden 64\) to the LLM \(hidden 64\) needs \[64, 64\]/);
    await rewrite(input.delta, 'F16', (tensors) => tensors.delete('vision_proj.weight'), writeDelta);
    await expectRefusal({ delta: input.delta }, plain, 'CHECKPOINT_INVALID', /ckpt\.pt: vision_proj\.weight is missing/);
  });

  it('Abstractor tensors that do not fit: an unknown key, a wrong width, heads that do not divide it', async () => {
    const input = copyOf(withAbstractor, 'abstractor-bad');
    await rewrite(input.delta, 'F16', (tensors) => tensors.set('abstractor.abstractor.norm.weight', { dtype: 'F16', shape: [64], data: new Float32Array(64) }), writeDelta);
    await expectRefusal({ delta: input.delta }, withAbstractor, 'DELTA_UNKNOWN_KEY', /unknown key abstractor\.abstractor\.norm\.weight/);
    await rewrite(
      input.delta,
      'F16',
      (tensors) => {
        tensors.delete('abstractor.abstractor.norm.weight');
        tensors.set('abstractor.abstractor.layers.2.linear2.weight', { dtype: 'F16', shape: [64, 64], data: new Float32Array(64 * 64) });
      },
      writeDelta,
    );
    await expectRefusal({ delta: input.delta }, withAbstractor, 'DELTA_SHAPE_MISMATCH', /layers\.2\.linear2\.weight is \[64, 64\] but an Abstractor of 4 layers, width 64 needs \[64, 128\]/);
    const heads3 = join(root, 'heads3.yaml');
    writeFileSync(heads3, readFileSync(withAbstractor.configPath, 'utf8').replace('nhead: 8', 'nhead: 3'));
    await expectRefusal({ config: heads3 }, withAbstractor, 'BAD_ARGUMENTS', /3 Abstractor heads \(--abstractor-heads, else the config's nhead\) do not divide the Abstractor width 64/);
  });
});

describe("the model's image rule, from DepictQA's config.yaml", () => {
  it('without --config: DepictQA-Wild’s 224 / 672 for a plain delta, and with the released DQ495K config the same', async () => {
    const lines: string[] = [];
    const { manifest } = await convertBundle(options(plain, 'rule-default', { progress: { ...SILENT_PROGRESS, log: (line) => lines.push(line) } }));
    expect(manifest!.vision!.preprocess).toMatchObject({ resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70 });
    expect(lines).toContain("Images: resized by DepictQA-Wild's rule, 224 / 672, at least 70, patches of 14 (no --config)");
    const { plan } = await convertBundle(options(plain, 'rule-dq495k', { config: plain.configPath, dryRun: true }));
    expect(plan.imageRule).toEqual({ resizeShortSide: 224, resizeLongSide: 672, minPaddedSide: 70, patchSize: 14 });
  });

  it('refuses an Abstractor delta without --config, naming the flag, and writes nothing', async () => {
    await expectRefusal({ config: undefined }, withAbstractor, 'BAD_ARGUMENTS', /ckpt\.pt holds DepictQA's Abstractor, whose images are resized by the model's config\.yaml \(the released DQ495K_Abstractor: 1024, max 2048\)/);
    const error = await convertBundle(options(withAbstractor, 'no-config', { config: undefined })).catch((caught: unknown) => caught);
    expect((error as AppError).hint).toBe("Give the model's config with --config path/to/DQ495K_Abstractor/config.yaml.");
  });

  it('refuses a config that does not fit the delta, or that no DepictQA model could have', async () => {
    await expectRefusal({ config: plain.configPath }, withAbstractor, 'BAD_ARGUMENTS', /config\.yaml describes a model without an Abstractor, but .*ckpt\.pt holds one/);
    await expectRefusal({ config: withAbstractor.configPath }, plain, 'BAD_ARGUMENTS', /config\.yaml describes a model with an Abstractor \(model\.abstractor\), but .*ckpt\.pt holds none/);
    const yaml = readFileSync(withAbstractor.configPath, 'utf8');
    const cases: Array<[string, string, RegExp]> = [
      ['no-section.yaml', 'seed: 1\nmodel: {}\n', /no-section\.yaml: has no vision_preprocess section/],
      ['squash.yaml', yaml.replace('keep_ratio: true', 'keep_ratio: false'), /squash\.yaml: vision_preprocess\.keep_ratio is not true/],
      ['patch16.yaml', yaml.replace('patch_size: 14', 'patch_size: 16'), /patch16\.yaml: vision_preprocess\.patch_size is 16, but CLIP ViT-L\/14's patch is 14/],
      ['text.yaml', yaml.replace('resize: 1024', 'resize: big'), /text\.yaml: vision_preprocess\.resize is "big", not a positive whole number/],
      ['upside-down.yaml', yaml.replace('resize: 1024', 'resize: 4096'), /upside-down\.yaml: vision_preprocess\.resize 4096 is above max_size 2048/],
      ['broken.yaml', 'model: [unclosed\n', /broken\.yaml: not valid YAML/],
    ];
    for (const [name, text, message] of cases) {
      const path = join(root, name);
      writeFileSync(path, text);
      await expectRefusal({ config: path }, withAbstractor, 'CHECKPOINT_INVALID', message);
    }
    await expectRefusal({ config: join(root, 'absent.yaml') }, withAbstractor, 'FILE_NOT_FOUND', /absent\.yaml: file not found/);
  });

  it('takes the Abstractor’s heads from the config, and refuses --abstractor-heads that contradict it', async () => {
    const path = join(root, 'heads4.yaml');
    writeFileSync(path, readFileSync(withAbstractor.configPath, 'utf8').replace('nhead: 8', 'nhead: 4'));
    const { plan } = await convertBundle(options(withAbstractor, 'heads4', { config: path, dryRun: true }));
    expect(plan.vision!.abstractor!.numHeads).toBe(4);
    await expectRefusal({ config: path, abstractorHeads: 8 }, withAbstractor, 'BAD_ARGUMENTS', /--abstractor-heads 8 differs from .*heads4\.yaml's model\.abstractor\.nhead 4/);
  });
});
