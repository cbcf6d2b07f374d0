import { mkdtempSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { upstreamTaskPrompts } from '../src/core/prompt/testing/upstreamFixture.ts';
import { llamaNames, parseLlamaConfig, type LlamaConfig } from './checkpoint/llamaConfig.ts';
import { openCheckpoint } from './checkpoint/index.ts';
import type { DenseTensor } from './checkpoint/types.ts';
import { roundToFloat16InPlace } from './onnx/float16.ts';
import { LlamaReference } from '../tools/oracles/llama.ts';
import { referenceLoraMerge } from '../tools/oracles/loraReference.ts';
import { seededRandom } from '../tools/oracles/randomLlama.ts';
import { makeTinyCheckpoint } from '../tools/tiny/makeTinyCheckpoint.ts';
import { convertBundle } from './convertBundle.ts';
import { SILENT_PROGRESS } from './progress.ts';
import { llamaWeightShapes } from './llama/convertLlama.ts';
import { dequantizeMatMulNBits, quantizeMatMulNBits } from './quantize.ts';
import { readBundleManifest } from '../cli/host/folderBundle.ts';
import { BundleLanguageModel } from './testing/bundleRunner.ts';

const STEPS = 8;

let root: string;
let bundle: string;
let config: LlamaConfig;
/** Merged fp32 weights read from the ORIGINAL files (not from the bundle). */
let merged: Map<string, DenseTensor>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'depictqa-convert-'));
  const tiny = await makeTinyCheckpoint({ out: join(root, 'original'), seed: 11 });
  bundle = join(root, 'bundle');
  // A small chunk limit splits the fp32 weights over several external-data files.
  await convertBundle({ llm: tiny.llmDir, delta: tiny.deltaPath, out: bundle, variants: ['fp32', 'q4'], chunkLimitBytes: 8_500_000, progress: SILENT_PROGRESS });

  config = parseLlamaConfig(JSON.parse(await readFile(join(tiny.llmDir, 'config.json'), 'utf8')), 'config.json');
  const llm = await openCheckpoint(tiny.llmDir);
  const delta = await openCheckpoint(tiny.deltaPath);
  merged = new Map();
  for (const name of llamaWeightShapes(config).keys()) {
    const entry = llm.tensors.get(name)!;
    let tensor: DenseTensor = { dtype: 'F32', shape: entry.shape, data: await entry.read() };
    const lora = /^model\.layers\.(\d+)\.self_attn\.([qkvo])_proj\.weight$/.exec(name);
    if (lora !== null) {
      const key = (half: 'A' | 'B') => `llm.base_model.model.model.layers.${lora[1]}.self_attn.${lora[2]}_proj.lora_${half}.default.weight`;
      const read = async (half: 'A' | 'B'): Promise<DenseTensor> => {
        const part = delta.tensors.get(key(half))!;
        return { dtype: 'F32', shape: part.shape, data: await part.read() };
      };
      tensor = referenceLoraMerge(tensor, await read('A'), await read('B'), 16);
    }
    merged.set(name, tensor);
  }
  await Promise.all([llm.close(), delta.close()]);
}, 120_000);

/** The description prompt with a reference, image rows replaced by fixed random embeddings. */
function promptEmbeds(reference: LlamaReference): Float32Array {
  const random = seededRandom(5);
  const rows: number[] = [];
  const prompt = upstreamTaskPrompts(false).find((c) => c.task === 'description' && c.hasReference)!;
  for (const segment of prompt.segments) {
    if ('ids' in segment) rows.push(...reference.embed(segment.ids as number[]));
    else for (let i = 0; i < 6 * config.hidden_size; i++) rows.push((random() - 0.5) * 0.1); // 6 image rows
  }
  return Float32Array.from(rows);
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * Prefill, then STEPS greedy single-token steps chosen by the reference, on both. Returns the logits of every
 * step, from the bundle and from each reference given.
 */
async function runBoth(model: BundleLanguageModel, references: LlamaReference[]): Promise<{ bundle: Float32Array[]; references: Float32Array[][] }> {
  const embeds = promptEmbeds(references[0]!);
  const bundleLogits = [await model.decoder.step(embeds)];
  const referenceLogits = references.map((reference) => [reference.forwardEmbedsLast(embeds)]);
  for (let step = 0; step < STEPS; step++) {
    const next = argmax(referenceLogits[0]!.at(-1)!);
    const nextEmbeds = await model.embed([next]);
    expect(Array.from(nextEmbeds)).toEqual(Array.from(references[0]!.embed([next])));
    bundleLogits.push(await model.decoder.step(nextEmbeds));
    references.forEach((reference, i) => referenceLogits[i]!.push(reference.forwardEmbedsLast(nextEmbeds)));
  }
  return { bundle: bundleLogits, references: referenceLogits };
}

describe('convertBundle on the tiny checkpoint', () => {
  it('writes a manifest that lists every file with its hash, and weights in several chunks', async () => {
    const manifest = await readBundleManifest(bundle);
    expect(manifest.variants).toEqual(['fp32', 'q4']);
    const onDisk = readdirSync(join(bundle, 'onnx')).map((name) => `onnx/${name}`);
    expect(manifest.files.map((file) => file.path).filter((path) => path.startsWith('onnx/')).sort()).toEqual(onDisk.sort());
    const fp32Decoder = manifest.graphs.find((graph) => graph.role === 'decoder' && graph.variant === 'fp32')!;
    expect(fp32Decoder.externalData.length).toBeGreaterThan(1);
    expect(fp32Decoder.outputs.find((output) => output.name === 'logits')?.shape).toEqual(['batch_size', 1, 32000]);
    expect(manifest.llm.lora).toEqual({ rank: 16, alpha: 16 });
  });

  it('fp32 bundle matches the reference forward pass of the original files, prefill + 8 cached steps', async () => {
    const model = await BundleLanguageModel.open(bundle, 'fp32');
    const reference = new LlamaReference(config, merged);
    const { bundle: actual, references } = await runBoth(model, [reference]);
    for (let step = 0; step <= STEPS; step++) expect(relativeError(actual[step]!, references[0]![step]!)).toBeLessThan(1e-4);
  }, 60_000);

  it('q4 bundle matches a reference with the dequantized weights, and the unquantized one to cosine 0.99', async () => {
    const dequantized = new Map<string, DenseTensor>();
    for (const [name, tensor] of merged) {
      let data = tensor.data;
      if (name === llamaNames.embedTokens) data = roundToFloat16InPlace(Float32Array.from(data)); // fp16 table
      else if (tensor.shape.length === 2) {
        const [n, k] = tensor.shape as [number, number];
        data = dequantizeMatMulNBits(quantizeMatMulNBits(data, n, k));
      }
      dequantized.set(name, { ...tensor, data });
    }
    const model = await BundleLanguageModel.open(bundle, 'q4', 256);
    const exact = new LlamaReference(config, dequantized);
    const unquantized = new LlamaReference(config, merged);
    const { bundle: actual, references } = await runBoth(model, [exact, unquantized]);
    for (let step = 0; step <= STEPS; step++) {
      expect(relativeError(actual[step]!, references[0]![step]!)).toBeLessThan(1e-4);
      expect(cosine(actual[step]!, references[1]![step]!)).toBeGreaterThan(0.99);
    }
  }, 60_000);
});
