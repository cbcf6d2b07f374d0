/**
 * The detailed-answer confidence end to end in Node: Vicuna's tokenizer (transformers.js) decodes the deletion
 * texts, the tiny sentence embedder (transformers.js on onnxruntime-node) embeds them in one call, and the value
 * equals DepictQA's steps computed by detail_reference.py in PyTorch (fixtures/tinyDetail.json; rerun here when
 * PyTorch is present).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletionTexts, detailConfidence } from '../../src/core/confidence/index.ts';
import { loadSentenceEmbedder, type SentenceEmbedder } from '../../src/engine/embedder/loadSentenceEmbedder.ts';
import { detectTorchPython, makeTempDir } from '../../converter/checkpoint/testing/support.ts';
import { jsonDifferences } from '../testing/jsonDifferences.ts';
import { writeTinyEmbedder } from '../tiny/embedder.ts';
import { buildVicunaTestBundle, type VicunaTestBundle } from '../testing/tokenizer/vicunaTokenizer.ts';
import fixture from './fixtures/tinyDetail.json';

const SCRIPT = fileURLToPath(new URL('./detail_reference.py', import.meta.url));
const torch = detectTorchPython();
if (torch.skipReason) console.warn(`Skipping the PyTorch rerun of the detailed confidence: ${torch.skipReason}`);

const ANSWER =
  'The image shows slight blur and heavy noise, therefore the overall quality is poor. ' +
  'The colors are dark and the edges are not sharp, but the texture detail is clear.';

/** Fixed probabilities in (0.05, 1), float32 values as generate() reports them. */
function answerProbabilities(count: number): number[] {
  let state = 12345;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.fround(0.05 + 0.95 * (state / 2 ** 32));
  });
}

let temp: { path: string; remove: () => Promise<void> };
let vicuna: VicunaTestBundle;
let embedder: SentenceEmbedder;
let embedderDir: string;
beforeAll(async () => {
  temp = await makeTempDir('tiny-detail');
  embedderDir = join(temp.path, 'embedder');
  await writeTinyEmbedder(embedderDir, 0);
  vicuna = await buildVicunaTestBundle();
  embedder = await loadSentenceEmbedder(embedderDir);
}, 60_000);
afterAll(async () => {
  await embedder.dispose();
  await vicuna.remove();
  await temp.remove();
});

const decode = (ids: number[]) => vicuna.tokenizer.decode(ids, { skip_special_tokens: true });

describe('detailed-answer confidence with the tiny embedder', () => {
  it("matches DepictQA's steps in PyTorch: same deletion texts, importances and value", async () => {
    // The answer as generated: its pieces, then "\n", "▁", "</s>".
    const ids = [...vicuna.encodePiece(ANSWER), 13, 29871, 2];
    expect(ids).toEqual(fixture.ids);
    const probabilities = answerProbabilities(ids.length);
    expect(probabilities).toEqual(fixture.probabilities);
    expect(deletionTexts(ids, decode)).toEqual(fixture.deletionTexts);

    let calls = 0;
    const embed = async (texts: string[]) => {
      calls++;
      return embedder.embedTexts(texts);
    };
    const result = (await detailConfidence({ ids, probabilities, decode, embed }))!;
    expect(calls).toBe(1);
    // Importances here are 1e-7…3e-3, and upstream rounds 1 − cos in float32 (steps of 6e-8), so agreement
    // is to about 1e-7 per importance and a few 1e-6 in the value.
    expect(Math.abs(result.value - fixture.value)).toBeLessThanOrEqual(1e-5);
    for (const token of result.tokens) expect(Math.abs(token.importance - fixture.importance[token.position]!)).toBeLessThanOrEqual(2e-7);
    // The same 30 tokens, except where the 30th and 31st are closer than that rounding.
    const cut = fixture.importance[fixture.order.at(-1)!]!;
    const ours = new Set(result.tokens.map((t) => t.position));
    const theirs = new Set(fixture.order);
    for (const position of [...ours].filter((p) => !theirs.has(p)).concat([...theirs].filter((p) => !ours.has(p)))) {
      expect(Math.abs(fixture.importance[position]! - cut)).toBeLessThanOrEqual(2e-7);
    }
  });

  it.skipIf(!torch.python)('detail_reference.py still computes the committed fixture', () => {
    const request = {
      tokenizerModel: join(vicuna.vicunaDir, 'tokenizer.model'),
      embedder: embedderDir,
      ids: fixture.ids,
      probabilities: fixture.probabilities,
    };
    const fresh = JSON.parse(execFileSync(torch.python as string, [SCRIPT], { input: JSON.stringify(request), encoding: 'utf8' })) as typeof fixture;
    expect(fresh.deletionTexts).toEqual(fixture.deletionTexts);
    // float32 to rounding, which differs with the CPU's kernels: near-equal importances may swap in the order.
    expect(jsonDifferences(fresh.importance, fixture.importance, { absolute: 1e-6 })).toEqual([]);
    const ranked = (d: typeof fixture) => d.order.map((position) => d.importance[position]!);
    expect(jsonDifferences(ranked(fresh), ranked(fixture), { absolute: 1e-6 })).toEqual([]);
    expect(Math.abs(fresh.value - fixture.value)).toBeLessThanOrEqual(1e-5);
  }, 60_000);
});
