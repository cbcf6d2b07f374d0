import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeOrt } from '../onnx/ortNode.ts';
import { parseAskArgs } from './askArgs.ts';
import { runAsk } from './runAsk.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

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

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (text: string) => out.push(text), err: (text: string) => err.push(text) } };
}

describe('npm run ask', () => {
  it('--json prints one record: prompt segments with image rows, answer, ids, verdict, confidence, stats', async () => {
    const { out, io } = capture();
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
    const { pA, pB, normalised, source } = record.confidence;
    expect(normalised).toBeCloseTo(pA / (pA + pB), 12);
    expect(source).toBe('probe');
    expect(record).toMatchObject({ device: 'cpu', adapter: null, variant: 'fp32', model: { variant: 'fp32', backend: 'wasm' } });
    expect(record.stats.prefillTokens).toBe(record.prompt.reduce((n: number, s: { ids?: number[]; rows?: number }) => n + (s.ids?.length ?? s.rows!), 0));
    expect(record.stats.tokensGenerated).toBe(4);
  }, 60_000);

  it('streams the answer text to stdout and a summary to stderr', async () => {
    const { out, err, io } = capture();
    const args = parseAskArgs(['--bundle', bundle.bundleDir, '--task', 'description', '--a', files.a, '--question', 'How sharp is it?', '--max-new-tokens', '5']);
    const result = await runAsk(args, io);
    expect(out.join('')).toBe(`${result.rawText}\n`);
    expect(result.prompt.question).toBe('How sharp is it?');
    expect(err.join('')).toMatch(/^single_no_reference, question \(own\) · .* · 5 tokens at [\d.]+\/s \(max_tokens\)\n$/);
  }, 60_000);

  it('refuses bad input before loading the model, naming the flag or the file', async () => {
    const ask = (argv: string[]) => runAsk(parseAskArgs(['--bundle', bundle.bundleDir, ...argv]), capture().io);
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

  it('exits non-zero with the code and message, as a JSON record with --json', async () => {
    const run = promisify(execFile);
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const failure = await run(tsx, ['tools/ask.ts', '--bundle', join(root, 'nowhere'), '--task', 'description', '--a', files.a, '--json']).catch((error) => error);
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout)).toMatchObject({ error: { code: 'BUNDLE_NOT_FOUND' } });
    expect(failure.stderr).toContain('ask: BUNDLE_NOT_FOUND: ');
    const usage = await run(tsx, ['tools/ask.ts', '--task', 'description']).catch((error) => error);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--bundle is required');
  }, 60_000);

  it('--device webgpu without a GPU driver fails naming the missing driver, and never falls back to the CPU', async () => {
    const run = promisify(execFile);
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const argv = ['tools/ask.ts', '--bundle', bundle.bundleDir, '--task', 'description', '--a', files.a, '--max-new-tokens', '2', '--json'];
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
