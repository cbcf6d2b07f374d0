/**
 * npm run compare on the tiny bundle (the real engine on the CPU): every distinct image is encoded once, each
 * compared pair is asked in both orders, the reused prefix gives the numbers a whole prefill gives, and the same
 * inputs give the same record twice.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/seededRandom.ts';
import { readShardEntries } from '../eval/merge.ts';
import { buildTinyBundle, type TinyBundle } from '../host/testing/tinyBundle.ts';
import { nodeOrt } from '../host/ortNode.ts';
import { parseCompareArgs } from './compareArgs.ts';
import { runCompare } from './compareCli.ts';
import type { CompareSummary } from './compareReport.ts';

const METHODS = { sharp: 3, soft: 12, noisy: 30 };
const IDS = 2;
const quiet = { out: () => {}, err: () => {} };
let root: string;
let bundle: TinyBundle;

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-compare-tiny-'));
  bundle = await buildTinyBundle(join(root, 'model'), ['fp32'], { seed: 9, vision: true });
  for (const dir of ['ref', ...Object.keys(METHODS)]) await mkdir(join(root, dir));
  for (let id = 0; id < IDS; id++) {
    const random = mulberry32(100 + id);
    const reference = Uint8Array.from({ length: 32 * 32 * 3 }, () => 30 + Math.floor(random() * 190));
    const write = async (path: string, pixels: Uint8Array) =>
      writeFile(path, await sharp(Buffer.from(pixels), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
    await write(join(root, 'ref', `${id}.png`), reference);
    for (const [method, noise] of Object.entries(METHODS)) {
      await write(join(root, method, `${id}.png`), reference.map((v) => Math.max(0, Math.min(255, v + Math.round(noise * (2 * random() - 1))))));
    }
  }
}, 180_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

async function compare(name: string, ...extra: string[]): Promise<CompareSummary> {
  const out = join(root, name);
  const methods = Object.keys(METHODS).flatMap((m) => ['--method', `${m}=${join(root, m)}`]);
  const flags = ['--bundle', bundle.bundleDir, '--device', 'cpu', '--variant', 'fp32', '--context', '512', '--ref', join(root, 'ref'), ...methods];
  await runCompare(parseCompareArgs([...flags, '--out', out, '--resamples', '50', ...extra]), quiet);
  return JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as CompareSummary;
}

describe('npm run compare on the tiny bundle', () => {
  let reused: CompareSummary;

  it('encodes each distinct image once and asks every compared pair in both orders', async () => {
    reused = await compare('reuse');
    // Two references and three outputs of each: 8 distinct images.
    expect(reused.stats.visionRuns).toBe(IDS * (1 + Object.keys(METHODS).length));
    // K = 3 asks all 3 pairs (⌈3·log2 3⌉ = 5 ≥ 3), each in both orders.
    expect(reused.stats.pairs).toBe(IDS * 3);
    expect(reused.stats.comparisons).toBe(2 * reused.stats.pairs);
    const { entries } = await readShardEntries(join(root, 'reuse'));
    const orders = new Set(entries.map((e) => `${e.group}:${e.imageA}>${e.imageB}`));
    for (const e of entries) expect(orders.has(`${e.group}:${e.imageB}>${e.imageA}`), `${e.imageB} first on ${e.group}`).toBe(true);
    for (const e of entries) {
      expect(e.pA).toBeGreaterThanOrEqual(0);
      expect(e.pB).toBeGreaterThanOrEqual(0);
      expect(e.pA + e.pB).toBeLessThanOrEqual(1 + 1e-6);
    }
    expect(reused.methods.map((m) => m.name).sort()).toEqual(Object.keys(METHODS).sort());
    for (const m of reused.methods) expect(Number.isFinite(m.score) && m.low <= m.score + 1e-9 && m.score <= m.high + 1e-9, m.name).toBe(true);
    expect(reused.device).toBe('cpu');
  }, 300_000);

  it('reuses the prompt prefix: fewer tokens prefilled, the same scores as a whole prefill per comparison', async () => {
    const scratch = await compare('scratch', '--no-kv-reuse');
    expect(reused.stats.prefillTokens).toBeLessThan(scratch.stats.prefillTokens);
    expect(scratch.methods.map((m) => m.name)).toEqual(reused.methods.map((m) => m.name));
    scratch.methods.forEach((m, k) => expect(Math.abs(m.score - reused.methods[k]!.score), m.name).toBeLessThan(1e-3));
    expect(scratch.images).toEqual(reused.images);
  }, 300_000);

  it('gives the same record for the same inputs twice', async () => {
    const again = await compare('again');
    const timeless = (summary: CompareSummary) => ({ ...summary, stats: { ...summary.stats, elapsedMs: 0 } });
    expect(timeless(again)).toEqual(timeless(reused));
  }, 300_000);

  it('answers --explain with the Reasoning task on images already encoded', async () => {
    // The tiny model's verdicts are near 1/2: from 0.5 on, every verdict a metric contradicts is a disagreement.
    const explained = await compare('explained', '--explain', '2', '--confident', '0.5');
    expect(explained.disagreements.length).toBeGreaterThanOrEqual(1);
    expect(explained.explanations).toHaveLength(Math.min(2, explained.disagreements.length));
    for (const e of explained.explanations) {
      expect(typeof e.text).toBe('string');
      expect([e.better, e.worse, null]).toContain(e.prefers);
      expect(e.runs.vision).toBe(0);
      expect(e.runs.decodeSteps).toBeGreaterThan(0);
    }
    expect(await readFile(join(root, 'explained', 'report.md'), 'utf8')).toContain('## Why: the model’s reasons');
  }, 300_000);
});
