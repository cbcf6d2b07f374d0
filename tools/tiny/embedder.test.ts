/**
 * The tiny sentence embedder through transformers.js in Node (onnxruntime-node, CPU) against PyTorch:
 * fixtures/tinyEmbedder.json was written by embedder_reference.py from the seed-0 embedder; when PyTorch is
 * here, the script is run again on a freshly written embedder.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectTorchPython, makeTempDir } from '../../converter/checkpoint/testing/support.ts';
import { writeTinyEmbedder } from './embedder.ts';
import fixture from './fixtures/tinyEmbedder.json';

const SCRIPT = fileURLToPath(new URL('./embedder_reference.py', import.meta.url));
const torch = detectTorchPython();
if (torch.skipReason) console.warn(`Skipping the tiny embedder's PyTorch rerun: ${torch.skipReason}`);

let temp: { path: string; remove: () => Promise<void> };
let dir: string;
let extractor: FeatureExtractionPipeline;
beforeAll(async () => {
  temp = await makeTempDir('tiny-embedder');
  dir = join(temp.path, 'embedder');
  await writeTinyEmbedder(dir, 0);
  // Local files only: an absolute folder under the root "model path", never the Hub.
  env.allowRemoteModels = false;
  env.localModelPath = '/';
  extractor = await pipeline('feature-extraction', dir, { local_files_only: true, dtype: 'fp32' });
});
afterAll(async () => {
  await extractor.dispose();
  await temp.remove();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

// The last text is longer than model_max_length (64): see the truncation test.
const fitting = fixture.texts.length - 1;
const tokenize = (text: string) => (extractor.tokenizer(text, { truncation: true }).input_ids.tolist() as bigint[][])[0]!.map(Number);

describe('the tiny embedder in transformers.js', () => {
  it('tokenizes as the WordPiece reference does', () => {
    for (const [i, text] of fixture.texts.slice(0, fitting).entries()) expect(tokenize(text), text).toEqual(fixture.ids[i]);
  });

  it('truncates an over-long text by cutting the end, [SEP] included, where sentence-transformers keeps [SEP]', () => {
    const ours = tokenize(fixture.texts[fitting]!);
    const reference = fixture.ids[fitting]!;
    expect(reference).toHaveLength(64);
    expect(reference.at(-1)).toBe(3); // [SEP]
    expect(ours.slice(0, 63)).toEqual(reference.slice(0, 63));
    expect(ours.at(-1)).not.toBe(3);
  });

  it("gives PyTorch's mean-pooled, normalised embeddings to 1e-5, all texts in one padded batch", async () => {
    const texts = fixture.texts.slice(0, fitting);
    const output = await extractor(texts, { pooling: 'mean', normalize: true });
    const dim = fixture.embeddings[0]!.length;
    expect(output.dims).toEqual([texts.length, dim]);
    const data = output.data as Float32Array;
    fixture.embeddings.slice(0, fitting).forEach((expected, row) => {
      expect(maxDiff(data.subarray(row * dim, (row + 1) * dim), expected), fixture.texts[row]).toBeLessThanOrEqual(1e-5);
    });
    // Random BERT embeddings share a common direction (cosines 0.5–0.99 here), but texts are told apart.
    const cos = fixture.embeddings[0]!.reduce((s, v, k) => s + v * fixture.embeddings[2]![k]!, 0);
    expect(cos).toBeLessThan(0.95);
  });

  it.skipIf(!torch.python)('is what embedder_reference.py computes from the files written now', () => {
    const output = execFileSync(torch.python as string, [SCRIPT, dir], { input: JSON.stringify(fixture.texts), encoding: 'utf8' });
    const fresh = JSON.parse(output) as typeof fixture;
    expect(fresh.ids).toEqual(fixture.ids);
    // float32 to rounding, which differs with the CPU's kernels.
    fresh.embeddings.forEach((row, i) => expect(maxDiff(row, fixture.embeddings[i]!)).toBeLessThanOrEqual(1e-6));
  });
});
