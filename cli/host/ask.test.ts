import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { questionCount, questionIndexForImages } from '../../src/core/engine/question.ts';
import { createSampler, softmaxAt, type Sampler } from '../../src/core/generation/sampler.ts';
import { sha256Hex } from '../../src/core/sha256.ts';
import { nodeOrt } from './ortNode.ts';
import { writeTinyEmbedder } from '../../tools/tiny/embedder.ts';
import { buildVicunaTestBundle } from '../../tools/testing/tokenizer/vicunaTokenizer.ts';
import { parseAskArgs } from './askArgs.ts';
import { runAsk } from './runAsk.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';
import { captureIo } from './testing/captureIo.ts';

const PARAGRAPH =
  'Image A shows heavy noise and some blur, while Image B keeps its edges sharp and its colours natural. ' +
  'Although both are slightly dark, Image B is better than Image A.';

let root: string;
let bundle: TinyBundle;
const files = { ref: '', a: '', b: '' };

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-ask-'));
  bundle = await buildTinyBundle(join(root, 'model'), ['fp32'], { seed: 9, vision: true });
  for (const [slot, size] of [['ref', 70], ['a', 84], ['b', 98]] as const) {
    files[slot] = join(root, `${slot}.png`);
    await writeFile(files[slot], (await randomPng(slot, size, 70, size)).bytes);
  }
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('npm run ask', () => {
  it('--json prints one record: prompt segments with image rows, answer, ids, verdict, confidence, stats', async () => {
    const { out, io } = captureIo();
    const args = parseAskArgs(['--bundle', bundle.bundleDir, '--task', 'comparison', '--ref', files.ref, '--a', files.a, '--b', files.b, '--question-index', '2', '--max-new-tokens', '4', '--device', 'cpu', '--json']);
    const result = await runAsk(args, io);
    expect(out).toHaveLength(1);
    const record = JSON.parse(out[0]!);
    expect(record).toMatchObject({ task: 'comparison', kind: 'full-reference', template: 'compare_full_reference', questionIndex: 2, ids: result.ids, stopReason: 'max_tokens' });
    expect(record.question).toMatch(/Answer the question using a single word or phrase\.$/);
    expect(record.prompt.filter((segment: object) => 'image' in segment)).toEqual([
      { image: 'ref', rows: 25 },
      { image: 'A', rows: 30 },
      { image: 'B', rows: 35 },
    ]);
    expect(record.prompt[0].ids[0]).toBe(1);
    expect(record.ids).toHaveLength(4);
    // On the CPU nothing is captured; the host's CPU time per decode step is measured, dispatches not counted.
    expect(record.decode).toEqual({ graphCapture: false, reason: 'the CPU backend runs no GPU commands to capture', dispatchesPerStep: null, hostMsPerStep: expect.any(Number) });
    expect(record.decode.hostMsPerStep).toBeGreaterThan(0);
    expect(record.probabilities).toEqual(result.probabilities);
    expect(record.probabilities).toHaveLength(4);
    // The random model names no image: the letters come from the probe, and so does the brief confidence.
    const { pA, pB, normalizedRatioA, letterProbability, source } = record.comparison;
    expect(normalizedRatioA).toBeCloseTo(pA / (pA + pB), 12);
    expect(source).toBe('probe');
    expect(letterProbability).toBe(Math.max(pA, pB));
    expect(record.confidence).toMatchObject({ kind: 'compare-brief', source: 'probe', value: letterProbability, letters: record.comparison });
    expect(record).toMatchObject({ device: 'cpu', adapter: null, variant: 'fp32', model: { variant: 'fp32', backend: 'wasm' } });
    expect(record.stats.prefillTokens).toBe(record.prompt.reduce((n: number, s: { ids?: number[]; rows?: number }) => n + (s.ids?.length ?? s.rows!), 0));
    expect(record.stats.tokensGenerated).toBe(4);
  }, 60_000);

  it('streams the answer text to stdout and a summary to stderr', async () => {
    const { out, err, io } = captureIo();
    const args = parseAskArgs(['--bundle', bundle.bundleDir, '--task', 'description', '--a', files.a, '--question', 'How sharp is it?', '--max-new-tokens', '5']);
    const result = await runAsk(args, io);
    expect(out.join('')).toBe(`${result.rawText}\n`);
    expect(result.prompt.question).toBe('How sharp is it?');
    // The own question has no short-answer tail, so the brief answer's confidence comes from asking again with it.
    expect(err.join('')).toMatch(/^single_no_reference, question \(own\) · .* · 5 tokens at [\d.]+\/s \(max_tokens\) · confidence [\d.e-]+ \(single-brief, re-ask\)\n$/);
  }, 60_000);

  it('refuses bad input before loading the model, naming the flag or the file', async () => {
    const ask = (argv: string[]) => runAsk(parseAskArgs(['--bundle', bundle.bundleDir, ...argv]), captureIo().io);
    await expect(ask(['--task', 'reasoning', '--a', files.a])).rejects.toMatchObject({ code: 'IMAGE_MISSING', hint: 'Pass --b FILE.' });
    await expect(ask(['--task', 'description', '--a', join(root, 'missing.png')])).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('missing.png: cannot read Image A') });
    await writeFile(join(root, 'notes.png'), 'not an image');
    await expect(ask(['--task', 'description', '--a', join(root, 'notes.png')])).rejects.toMatchObject({
      code: 'IMAGE_DECODE_FAILED',
      message: expect.stringContaining('notes.png is not an image (it starts with text)'),
    });
    expect(() => parseAskArgs(['--bundle', 'x', '--task', 'description', '--a', 'a', '--max-new-tokens', '0'])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }));
    expect(() => parseAskArgs(['--bundle', 'x', '--task', 'description', '--question', 'q', '--question-index', '1'])).toThrow(/not both/);
    expect(() => parseAskArgs(['--task', 'description'])).toThrow(/--bundle is required/);
    expect(() => parseAskArgs(['--bundle', 'x', '--task', 'description', '--colour'])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }));
  }, 60_000);

  it('without --question-index the same images get the same question and answer in two runs; --question random draws', async () => {
    const ask = async (extra: string[]) => {
      const { out, io } = captureIo();
      await runAsk(parseAskArgs(['--bundle', bundle.bundleDir, '--task', 'reasoning', '--ref', files.ref, '--a', files.a, '--b', files.b, '--max-new-tokens', '4', '--device', 'cpu', '--no-confidence', '--json', ...extra]), io);
      return JSON.parse(out[0]!) as { question: string; questionIndex: number; ids: number[] };
    };
    const first = await ask([]);
    const second = await ask([]);
    expect(second).toMatchObject({ question: first.question, questionIndex: first.questionIndex, ids: first.ids });
    // The images' pick: their SHA-256 by slot and the task.
    const sha = async (path: string) => sha256Hex(await readFile(path));
    const images = [['reference', await sha(files.ref)], ['a', await sha(files.a)], ['b', await sha(files.b)]] as const;
    expect(first.questionIndex).toBe(await questionIndexForImages('reasoning', true, images, questionCount('reasoning', true)));

    expect(parseAskArgs(['--bundle', 'x', '--task', 'reasoning', '--a', 'a', '--question', 'random']).request.question).toEqual({ pick: 'random' });
    expect(parseAskArgs(['--bundle', 'x', '--task', 'reasoning', '--a', 'a']).request.question).toBeUndefined();
  }, 60_000);

  it('--embedder: a reasoning record has the verdict, the letters and the detailed confidence with its 30 tokens', async () => {
    const vicuna = await buildVicunaTestBundle();
    const paragraph = [...vicuna.encodePiece(PARAGRAPH), 13, 29871, 2];
    await vicuna.remove();
    const embedderDir = join(root, 'embedder');
    await writeTinyEmbedder(embedderDir, 0);
    const { out, io } = captureIo();
    const args = parseAskArgs(['--bundle', bundle.bundleDir, '--task', 'reasoning', '--a', files.a, '--b', files.b, '--question-index', '0', '--max-new-tokens', '60', '--device', 'cpu', '--embedder', embedderDir, '--json']);
    // The answer is forced token by token; each token's probability is still the model's.
    const forced: Sampler = {
      options: createSampler().options,
      sample: (logits, generated = []) => {
        const tokenId = paragraph[generated.length] ?? 2;
        return { tokenId, probability: softmaxAt(logits, [tokenId])[0]! };
      },
    };
    await runAsk(args, io, { sampler: () => forced });
    const record = JSON.parse(out[0]!);
    expect(record.ids).toEqual(paragraph);
    expect(record.verdict).toBe('B');
    expect(record.comparison).toMatchObject({ verdict: 'B', source: 'answer', position: 0, letter: 'A', letterProbability: record.probabilities[1] });
    expect(record.confidence).toMatchObject({ kind: 'detail', source: 'answer' });
    expect(record.confidence.value).toBeGreaterThan(0);
    expect(record.confidence.tokens).toHaveLength(30);
    for (const token of record.confidence.tokens) {
      expect(Object.keys(token).sort()).toEqual(['id', 'importance', 'position', 'probability', 'text', 'weight']);
      expect(token.probability).toBe(record.probabilities[token.position]);
    }
    expect(record.confidence.tokens.reduce((sum: number, t: { weight: number }) => sum + t.weight, 0)).toBeCloseTo(1, 12);
  }, 60_000);

  it('exits non-zero with the code and message, as a JSON record with --json', async () => {
    const run = promisify(execFile);
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const failure = await run(tsx, ['cli/ask.ts', '--bundle', join(root, 'nowhere'), '--task', 'description', '--a', files.a, '--json']).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout)).toMatchObject({ error: { code: 'BUNDLE_NOT_FOUND' } });
    expect(failure.stderr).toContain('ask: BUNDLE_NOT_FOUND: ');
    // A wrong --embedder folder fails before the model loads, with a hint and no stack trace.
    const embedder = await run(tsx, ['cli/ask.ts', '--bundle', bundle.bundleDir, '--task', 'description', '--a', files.a, '--embedder', join(root, 'no-embedder'), '--json']).catch((error) => error);
    expect(embedder.code).toBe(1);
    expect(JSON.parse(embedder.stdout)).toMatchObject({ error: { code: 'FILE_NOT_FOUND', message: expect.stringContaining('no-embedder: no such folder'), hint: expect.stringContaining('onnx/model.onnx') } });
    expect(embedder.stderr).not.toMatch(/\n\s+at /);
    const usage = await run(tsx, ['cli/ask.ts', '--task', 'description']).catch((error) => error);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--bundle is required');
  }, 60_000);

  it('--device webgpu without a GPU driver fails naming the missing driver, and never falls back to the CPU', async () => {
    const run = promisify(execFile);
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const argv = ['cli/ask.ts', '--bundle', bundle.bundleDir, '--task', 'description', '--a', files.a, '--max-new-tokens', '2', '--json'];
    // Vulkan's loader then finds no driver: what a machine without a GPU driver looks like to Dawn.
    const env = { ...process.env, VK_ICD_FILENAMES: join(root, 'no-driver.json') };
    const failure = await run(tsx, [...argv, '--device', 'webgpu'], { env }).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout)).toMatchObject({
      error: { code: 'WEBGPU_UNAVAILABLE', message: expect.stringContaining('no Vulkan driver'), hint: expect.stringContaining('--device cpu') },
    });
    // With no device asked for, the same machine answers on the CPU.
    const answered = await run(tsx, argv, { env });
    expect(JSON.parse(answered.stdout)).toMatchObject({ device: 'cpu', adapter: null, variant: 'fp32' });
  }, 60_000);
});
