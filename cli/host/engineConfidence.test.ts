/**
 * DepictQA's confidence through the engine on the tiny model: answers forced token by token (a test sampler that
 * records the model's own probability of each forced token), the verdict record of Comparison and Reasoning, the
 * re-ask with the short-answer tail on the cached prefix, and the detailed rule with the tiny sentence embedder.
 * Every expectation is computed from independent parts: the core rules on the ids and probabilities the engine
 * reports, the test sampler's own softmax, and the prompts' segments.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareBriefConfidence, detailConfidence, singleBriefConfidence, SHORT_ANSWER_TAIL } from '../../src/core/confidence/index.ts';
import { NEEDS_SENTENCE_MODEL } from '../../src/core/engine/confidence.ts';
import type { PromptInfo, PromptSegmentInfo } from '../../src/core/engine/generate.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { createSampler, softmaxAt, type Sampler } from '../../src/core/generation/sampler.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import { loadSentenceEmbedder, type SentenceEmbedder } from '../../src/engine/embedder/loadSentenceEmbedder.ts';
import { nodeOrt } from './ortNode.ts';
import { writeTinyEmbedder } from '../../tools/tiny/embedder.ts';
import { buildVicunaTestBundle, type VicunaTestBundle } from '../../tools/testing/tokenizer/vicunaTokenizer.ts';
import { createNodeEngine } from './nodeHost.ts';
import { fixedRowsEncoder } from './testing/fixedRowsEncoder.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

// ▁Image 7084, ▁A 319, ▁B 350, "\n" 13, "▁" 29871, </s> 2: how a trained brief answer ends.
const END = [13, 29871, 2];
const PARAGRAPH =
  'Image A shows heavy noise and some blur, while Image B keeps its edges sharp and its colours natural. ' +
  'Although both are slightly dark, Image B is better than Image A.';

let root: string;
let bundle: TinyBundle;
let vicuna: VicunaTestBundle;
let embedder: SentenceEmbedder;
let embedderDir: string;
const images = {} as Record<'a' | 'b', ImageInput>;
/** What the test sampler forces for a prompt; null: the engine's own sampler. */
let script: (prompt: PromptInfo) => number[] | null = () => null;
/** The prompts each answer was generated for, in order (the re-ask's included). */
const prompts: PromptInfo[] = [];
let engine: Engine;

/** Forces `ids` in order (then </s>), reporting each one's softmax probability at its step, as the engine defines it. */
function forcing(ids: readonly number[]): Sampler {
  return {
    options: createSampler().options,
    sample(logits, generated = []) {
      const tokenId = ids[generated.length] ?? 2;
      return { tokenId, probability: softmaxAt(logits, [tokenId])[0]! };
    },
  };
}

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-confidence-'));
  bundle = await buildTinyBundle(join(root, 'model'), ['fp32']);
  embedderDir = join(root, 'embedder');
  await writeTinyEmbedder(embedderDir, 0);
  vicuna = await buildVicunaTestBundle();
  embedder = await loadSentenceEmbedder(embedderDir);
  images.a = await randomPng('a.png', 70, 84, 1);
  images.b = await randomPng('b.png', 84, 70, 2);
  engine = createNodeEngine({
    imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize),
    sampler: (_sampling, prompt) => {
      prompts.push(prompt);
      const ids = script(prompt);
      return ids === null ? undefined : forcing(ids);
    },
  });
  await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { maxContext: 512 });
}, 120_000);

afterAll(async () => {
  await engine?.unload();
  await embedder?.dispose();
  await vicuna?.remove();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const decode = (ids: number[]) => vicuna.tokenizer.decode(ids, { skip_special_tokens: true });

/** A prompt's positions as keys: token ids, and image rows by slot. */
function keys(segments: readonly PromptSegmentInfo[]): Array<number | string> {
  return segments.flatMap((s): Array<number | string> => ('ids' in s ? s.ids : Array.from({ length: s.rows }, (_, r) => `${s.image}:${r}`)));
}

function sharedPrefix(a: readonly unknown[], b: readonly unknown[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

describe('Reasoning answers', () => {
  it('a detailed paragraph: the verdict from its conclusion, the letters read at its first ▁Image, the detail rule', async () => {
    const paragraph = [...vicuna.encodePiece(PARAGRAPH), ...END];
    script = () => paragraph;
    const result = await engine.generate({ task: 'reasoning', images, question: { index: 0 }, maxNewTokens: 80 });
    expect(result.ids).toEqual(paragraph);
    expect(result.verdict).toBe('B');
    // The first "Image A" is at position 0; its letter was produced at step 1.
    expect(paragraph.slice(0, 2)).toEqual([7084, 319]);
    const comparison = result.comparison!;
    expect(comparison).toMatchObject({ verdict: 'B', source: 'answer', position: 0, letter: 'A' });
    expect(comparison.pA).toBeCloseTo(result.probabilities[1]!, 12);
    expect(comparison.letterProbability).toBe(comparison.pA);
    expect(comparison.normalizedRatioA).toBeCloseTo(comparison.pA / (comparison.pA + comparison.pB), 12);
    // Without the sentence model a detailed answer has no value, and nothing else breaks.
    expect(result.confidence).toEqual({ kind: 'detail', value: null, source: 'answer', reason: NEEDS_SENTENCE_MODEL, tokens: [] });
    // Nor can it be filled in later until the sentence model is loaded.
    await expect(engine.detailConfidence({ rawText: result.rawText, ids: result.ids, probabilities: result.probabilities })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: 'The sentence model is not loaded.',
    });
  }, 60_000);

  it('a brief answer to a question without the tail: asked again on the cached prefix, scored on the second answer', async () => {
    script = (prompt) => (prompt.question.endsWith(SHORT_ANSWER_TAIL) ? [7084, 350, ...END] : [7084, 319, ...END]);
    prompts.length = 0;
    // A fresh cache, so that the first answer's prefill is the whole prompt.
    await engine.generate({ task: 'description', images: { a: images.b }, question: { index: 0 }, maxNewTokens: 6, confidence: false });
    const before = await engine.counters();
    prompts.length = 0;
    const result = await engine.generate({ task: 'reasoning', images, question: { index: 1 }, maxNewTokens: 6 });
    const after = await engine.counters();

    expect(result.text).toBe('Image A');
    expect(result.verdict).toBe('A');
    expect(result.comparison).toMatchObject({ verdict: 'A', source: 'answer', letter: 'A' });
    const confidence = result.confidence!;
    expect(confidence.kind).toBe('compare-brief');
    expect(confidence.source).toBe('re-ask');
    const reask = confidence.reask!;
    expect(reask.question).toBe(result.prompt.question + SHORT_ANSWER_TAIL);
    expect(reask.ids).toEqual([7084, 350, ...END]);
    const expected = compareBriefConfidence({ ids: reask.ids, probabilities: reask.probabilities })!;
    expect(confidence.value).toBe(expected.value);
    expect(confidence.value).toBe(reask.probabilities[1]);
    if (confidence.kind !== 'compare-brief') throw new Error('unreachable');
    expect(confidence.letters).toMatchObject({ source: 'answer', position: 0, letter: 'B', letterProbability: expected.value });
    expect(confidence.letters!.pB).toBe(expected.value);

    // The re-ask ran only the positions after the longest prefix it shares with the first prompt: never an image row.
    expect(prompts.map((p) => p.question)).toEqual([result.prompt.question, reask.question]);
    const first = keys(result.prompt.segments);
    const second = keys(prompts[1]!.segments);
    const shared = sharedPrefix(first, second);
    const lastImageEnd = second.length - (prompts[1]!.segments.at(-1) as { ids: number[] }).ids.length;
    expect(shared).toBeGreaterThanOrEqual(lastImageEnd);
    const reaskPrefill = after.prefillTokens - before.prefillTokens - result.stats.prefillTokens;
    expect(reaskPrefill).toBe(second.length - shared);
    expect(reaskPrefill).toBeLessThan(second.length - lastImageEnd);
  }, 60_000);
});

describe('brief single-image answers', () => {
  it('a question with the tail is not asked again: the mean probability without "▁and" and the end marker', async () => {
    // "noise and blur": ▁noise ▁and ▁blur.
    const answer = [...vicuna.encodePiece('noise and blur'), ...END];
    script = () => answer;
    const before = await engine.counters();
    const result = await engine.generate({ task: 'distortion', images: { a: images.a }, question: { index: 0 }, maxNewTokens: 8 });
    const after = await engine.counters();
    expect(result.ids).toEqual(answer);
    const expected = singleBriefConfidence({ ids: result.ids, probabilities: result.probabilities })!;
    expect(result.confidence).toMatchObject({ kind: 'single-brief', source: 'answer', value: expected.value });
    expect(result.confidence!.reask).toBeUndefined();
    expect(after.prefillTokens - before.prefillTokens).toBe(result.stats.prefillTokens);
  }, 60_000);
});

describe('detailed answers with the sentence embedder', () => {
  it('equal the core rule on the same ids, probabilities and text', async () => {
    await expect(engine.loadEmbedder({ kind: 'path', path: embedderDir })).resolves.toMatchObject({ source: embedderDir });
    const paragraph = [...vicuna.encodePiece(PARAGRAPH), ...END];
    script = () => paragraph;
    const result = await engine.generate({ task: 'reasoning', images, question: { index: 0 }, maxNewTokens: 80 });
    const expected = (await detailConfidence({ ids: result.ids, probabilities: result.probabilities, decode, embed: embedder.embedTexts, text: result.rawText }))!;
    const confidence = result.confidence!;
    expect(confidence.kind).toBe('detail');
    expect(confidence.source).toBe('answer');
    expect(confidence.value).toBeCloseTo(expected.value, 12);
    expect(confidence.tokens).toHaveLength(30);
    expect(confidence.tokens.map((t) => [t.position, t.id, t.probability])).toEqual(expected.tokens.map((t) => [t.position, t.id, t.probability]));
    confidence.tokens.forEach((t, k) => expect(t.weight).toBeCloseTo(expected.tokens[k]!.weight, 12));
  }, 60_000);

  it("fill in a finished answer's confidence from its tokens, as the answer would have had it, without running the model", async () => {
    const paragraph = [...vicuna.encodePiece(PARAGRAPH), ...END];
    script = () => paragraph;
    const result = await engine.generate({ task: 'reasoning', images, question: { index: 0 }, maxNewTokens: 80 });
    const before = await engine.counters();
    const filled = await engine.detailConfidence({ rawText: result.rawText, ids: result.ids, probabilities: result.probabilities });
    expect(filled).toEqual(result.confidence);
    expect(filled.value).not.toBeNull();
    expect(await engine.counters()).toEqual(before);
  }, 60_000);

  it('a missing folder or one that is not an embedder fails with what to do', async () => {
    await expect(engine.loadEmbedder({ kind: 'path', path: join(root, 'nowhere') })).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      hint: expect.stringContaining('onnx/model.onnx'),
    });
    await mkdir(join(root, 'half'));
    await writeFile(join(root, 'half', 'config.json'), '{}');
    await expect(engine.loadEmbedder({ kind: 'path', path: join(root, 'half') })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: expect.stringContaining('lacks tokenizer.json, tokenizer_config.json, onnx/model.onnx'),
    });
  });
});
