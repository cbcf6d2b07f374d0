import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphsFor } from '../src/core/bundle/manifest.ts';
import { openCheckpoint } from './checkpoint/index.ts';
import { makeTempDir } from './checkpoint/testing/support.ts';
import { readBundleManifest } from '../cli/host/folderBundle.ts';
import { nodeOrt } from '../cli/host/ortNode.ts';
import { seededRandom } from '../tools/oracles/randomLlama.ts';
import { detectUpstreamPython, UPSTREAM_ENV, upstreamSkip } from '../tools/testing/upstreamPython.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from '../tools/tiny/makeTinyCheckpoint.ts';
import { convertBundle } from './convertBundle.ts';
import { SILENT_PROGRESS } from './progress.ts';
import { BundleLanguageModel, openBundleGraph } from './testing/bundleRunner.ts';

/**
 * The released base models were written by transformers itself (Vicuna's .bin shards, CLIP's model.safetensors).
 * Here transformers 4.35.0 loads the tiny checkpoint and saves it again in those layouts; each must convert to
 * the same fp32 graphs as the original files.
 */
const SCRIPT = fileURLToPath(new URL('./testing/resave_with_transformers.py', import.meta.url));
const SUITE = 'checkpoints written by transformers 4.35.0';

let temp: { path: string; remove: () => Promise<void> };
let tiny: TinyCheckpoint;
let saved: string;
let saves: { transformers: string; files: Record<string, string[]> };
let original: string;

beforeAll(async () => {
  if (detectUpstreamPython().python === undefined) return;
  temp = await makeTempDir('transformers-saves');
  tiny = await makeTinyCheckpoint({ out: join(temp.path, 'tiny'), seed: 5 });
  saved = join(temp.path, 'saved');
  const output = execFileSync(detectUpstreamPython().python!, [SCRIPT, tiny.llmDir, tiny.clipDir, saved], { encoding: 'utf8', env: UPSTREAM_ENV });
  saves = JSON.parse(output.trim().split('\n').at(-1)!);
  original = await convert('original', tiny.llmDir, tiny.clipDir);
}, 240_000);
afterAll(() => temp?.remove());

async function convert(name: string, llm: string, clip: string, log?: (line: string) => void): Promise<string> {
  const out = join(temp.path, `bundle-${name}`);
  const progress = log === undefined ? SILENT_PROGRESS : { ...SILENT_PROGRESS, log };
  await convertBundle({ llm, clip, delta: tiny.deltaPath, out, variants: ['fp32'], progress });
  return out;
}

/** Each graph file's sha256 (a deep comparison of 17 MB of bytes is slow). */
async function graphFiles(bundle: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(join(bundle, 'onnx'))).sort()) files[name] = createHash('sha256').update(await readFile(join(bundle, 'onnx', name))).digest('hex');
  return files;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Logits of a prefill of random embeddings and one step, and the vision features of one random image. */
async function outputs(bundle: string): Promise<{ logits: Float32Array[]; features: Float32Array }> {
  const random = seededRandom(9);
  const model = await BundleLanguageModel.open(bundle, 'fp32');
  const prompt = Float32Array.from({ length: 7 * model.config.hidden_size }, () => (random() - 0.5) * 0.2);
  const logits = [await model.decoder.step(prompt), await model.decoder.step(await model.embed([7084]))];
  const manifest = await readBundleManifest(bundle);
  const ort = await nodeOrt();
  const session = await openBundleGraph(bundle, graphsFor(manifest, 'fp32').get('vision_encoder')!);
  const pixels = Float32Array.from({ length: 3 * 28 * 42 }, () => random() * 2 - 1);
  const { image_features: features } = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [1, 3, 28, 42]) });
  await session.release();
  return { logits, features: features!.data as Float32Array };
}

describe.skipIf(upstreamSkip(SUITE))(SUITE, () => {
  it('saved Vicuna’s layout (.bin shards + index), sharded safetensors, and CLIP as model.safetensors', () => {
    expect(saves.transformers).toBe('4.35.0');
    expect(saves.files['llm-bin']).toEqual(expect.arrayContaining(['pytorch_model-00001-of-00003.bin', 'pytorch_model-00003-of-00003.bin', 'pytorch_model.bin.index.json', 'tokenizer.model', 'tokenizer_config.json']));
    expect(saves.files['llm-safetensors']).toEqual(expect.arrayContaining(['model-00001-of-00003.safetensors', 'model.safetensors.index.json']));
    expect(saves.files['clip-vision']).toEqual(['config.json', 'model.safetensors']);
    expect(saves.files['clip-full']).toEqual(['config.json', 'model.safetensors']);
  });

  it.each([
    ['.bin shards with CLIPVisionModel', 'llm-bin', 'clip-vision'],
    ['safetensors shards with a whole CLIPModel (text tower and projections left unread)', 'llm-safetensors', 'clip-full'],
  ])('%s convert to the original’s fp32 graphs: the same bytes, outputs equal to 1e-6', async (_name, llm, clip) => {
    const bundle = await convert(llm, join(saved, llm), join(saved, clip));
    expect(await graphFiles(bundle)).toEqual(await graphFiles(original));
    const [ours, theirs] = [await outputs(bundle), await outputs(original)];
    for (const [step, logits] of ours.logits.entries()) expect(maxDifference(logits, theirs.logits[step]!)).toBeLessThanOrEqual(1e-6);
    expect(maxDifference(ours.features, theirs.features)).toBeLessThanOrEqual(1e-6);
    // transformers' own tokenizer_config.json (added_tokens_decoder, legacy: false) gives the same tokenizer.
    expect(await readFile(join(bundle, 'tokenizer.json'), 'utf8')).toBe(await readFile(join(original, 'tokenizer.json'), 'utf8'));
    expect(await readFile(join(bundle, 'tokenizer_config.json'), 'utf8')).toBe(await readFile(join(original, 'tokenizer_config.json'), 'utf8'));
  }, 120_000);

  it('a folder with a safetensors index but only .bin shards is read through the .bin index, with a note', async () => {
    const folder = join(temp.path, 'bin-with-safetensors-index');
    await mkdir(folder);
    for (const file of saves.files['llm-bin']!) await copyFile(join(saved, 'llm-bin', file), join(folder, file));
    await copyFile(join(saved, 'llm-safetensors', 'model.safetensors.index.json'), join(folder, 'model.safetensors.index.json'));
    const checkpoint = await openCheckpoint(folder);
    expect(checkpoint.notes).toEqual([
      'model.safetensors.index.json names shards this folder lacks (model-00001-of-00003.safetensors, model-00002-of-00003.safetensors, … (3)); read pytorch_model.bin.index.json and its .bin shards instead',
    ]);
    expect(checkpoint.tensors.get('lm_head.weight')?.file).toBe(join(folder, 'pytorch_model-00003-of-00003.bin'));
    await checkpoint.close();
    const lines: string[] = [];
    const bundle = await convert('fallback', folder, join(saved, 'clip-vision'), (line) => lines.push(line));
    expect(lines).toContainEqual(expect.stringContaining('LLM: model.safetensors.index.json names shards this folder lacks'));
    expect(await graphFiles(bundle)).toEqual(await graphFiles(original));
  }, 120_000);
});
