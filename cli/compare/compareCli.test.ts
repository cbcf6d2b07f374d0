/**
 * npm run compare on a generated test set of known quality, with the fake comparator (it prefers the higher PSNR):
 * the method order is the noise order, agreement with PSNR is 1, missing and bad outputs are listed and left out,
 * bad inputs are refused before any work, and two shards merged give the one-run result.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/seededRandom.ts';
import { acquireLock } from '../eval/shardLock.ts';
import { parseCompareArgs } from './compareArgs.ts';
import { runCompare } from './compareCli.ts';
import type { CompareSummary } from './compareReport.ts';

let root: string;
const NOISE = { clean: 2, mid: 8, rough: 20 };
const quiet = { out: () => {}, err: () => {} };

async function png(path: string, pixels: Uint8Array, width: number, height: number): Promise<void> {
  await writeFile(path, await sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } }).png().toBuffer());
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'depictqa-compare-'));
  for (const dir of ['ref', ...Object.keys(NOISE)]) await mkdir(join(root, dir));
  for (let id = 0; id < 5; id++) {
    const random = mulberry32(id + 1);
    const reference = Uint8Array.from({ length: 48 * 40 * 3 }, () => 40 + Math.floor(random() * 170));
    await png(join(root, 'ref', `${id}.png`), reference, 48, 40);
    for (const [method, noise] of Object.entries(NOISE)) {
      if (method === 'mid' && id === 3) continue; // missing
      const out = reference.map((v) => Math.max(0, Math.min(255, v + Math.round(noise * (2 * random() - 1)))));
      await png(join(root, method, `${id}.png`), out, 48, 40);
    }
  }
  await writeFile(join(root, 'rough', '1.png'), 'not an image'); // does not decode
  await png(join(root, 'rough', '2.png'), new Uint8Array(40 * 40 * 3), 40, 40); // wrong size
  await png(join(root, 'rough', '9.png'), new Uint8Array(48 * 40 * 3), 48, 40); // no reference
}, 60_000);
afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const methodFlags = () => Object.keys(NOISE).flatMap((m) => ['--method', `${m}=${join(root, m)}`]);
const run = (out: string, ...extra: string[]) =>
  runCompare(parseCompareArgs(['--comparator', 'fake', '--ref', join(root, 'ref'), ...methodFlags(), '--out', out, '--resamples', '100', ...extra]), quiet);
const summaryOf = async (out: string) => JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as CompareSummary;

describe('npm run compare with the fake comparator', () => {
  it('orders the methods as their PSNR does, agrees with PSNR everywhere, and lists what it left out', async () => {
    const out = join(root, 'one');
    await run(out);
    const summary = await summaryOf(out);
    expect(summary.methods.map((m) => m.name)).toEqual(['clean', 'mid', 'rough']);
    expect(summary.agreement.psnr).toBe(1);
    expect(summary.missing).toEqual([{ method: 'mid', id: '3' }]);
    expect(summary.skipped.map((s) => `${s.method}/${s.id}`)).toEqual(['rough/1', 'rough/2', 'rough/9']);
    expect(summary.skipped[0]!.reason).toMatch(/does not decode/);
    expect(summary.skipped[1]!.reason).toMatch(/is 40×40, its reference 48×40/);
    expect(summary.skipped[2]!.reason).toMatch(/no reference image is named 9/);
    expect(summary.winMatrix.clean!.mid).toMatchObject({ rate: 1, n: 4 });
    expect(summary.winMatrix.clean!.rough).toMatchObject({ rate: 1, n: 3 });
    expect(summary.images).toHaveLength(5);
    expect(summary.stats.comparisons).toBe(2 * summary.stats.pairs);
    for (const file of ['report.md', 'table.tex', 'images.csv', 'win-rates.svg', 'scores.svg']) expect(existsSync(join(out, file)), file).toBe(true);
    expect(await readFile(join(out, 'table.tex'), 'utf8')).toMatch(/\\begin\{tabular\}[\s\S]*\\toprule[\s\S]*clean & \$/);
    expect((await readFile(join(out, 'images.csv'), 'utf8')).split('\n')[1]).toMatch(/^0,clean,1,\d+\.\d+,0\.\d+,/);
  }, 60_000);

  it('two shards merged give the one-run result', async () => {
    const out = join(root, 'sharded');
    await run(out, '--shard', '0/2');
    await run(out, '--shard', '1/2');
    await runCompare(parseCompareArgs(['merge', '--out', out, '--resamples', '100']), quiet);
    const [one, two] = [await summaryOf(join(root, 'one')), await summaryOf(out)];
    expect(two.shards).toBe(2);
    // Everything but the wall time of the comparisons, which is the machine's.
    const timeless = (summary: CompareSummary) => ({ ...summary, shards: 1, stats: { ...summary.stats, elapsedMs: 0 } });
    expect(timeless(two)).toEqual(timeless(one));
  }, 60_000);

  it('refuses duplicate stems, too many methods and another comparison in the same folder, before any work', async () => {
    await writeFile(join(root, 'clean', '0.jpg'), 'x');
    await expect(run(join(root, 'dup'))).rejects.toThrow(/method clean has 1 file stem\(s\) used twice, first "0": 0\.jpg, 0\.png/);
    await rm(join(root, 'clean', '0.jpg'));
    const many = Array.from({ length: 17 }, (_, k) => ['--method', `m${k}=${join(root, 'clean')}`]).flat();
    await expect(runCompare(parseCompareArgs(['--comparator', 'fake', ...many, '--out', join(root, 'many')]), quiet)).rejects.toThrow(/2 to 16 of them; got 17/);
    await expect(runCompare(parseCompareArgs(['--comparator', 'fake', '--ref', join(root, 'ref'), '--method', `clean=${join(root, 'clean')}`, '--method', `mid=${join(root, 'mid')}`, '--out', join(root, 'one')]), quiet)).rejects.toThrow(/holds another comparison/);
    expect(existsSync(join(root, 'dup'))).toBe(false);
  }, 60_000);

  it('a shard held by another process is refused at once, naming the holder, and its journal is left alone', async () => {
    const out = join(root, 'held');
    await mkdir(out);
    const lock = await acquireLock(join(out, 'shard-1-of-2.jsonl.lock'), { what: 'compare shard 1/2', pid: 4242, host: 'node-b', releaseOnSignal: false });
    try {
      await expect(run(out, '--shard', '1/2')).rejects.toMatchObject({ code: 'SHARD_LOCKED', message: expect.stringContaining('pid 4242 on node-b') });
      expect(existsSync(join(out, 'shard-1-of-2.jsonl'))).toBe(false);
    } finally {
      await lock.release();
    }
  }, 60_000);
});

describe('npm run compare --explain with the fake comparator', () => {
  // A brightness offset keeps SSIM high at a low PSNR; noise the other way round. The fake comparator (PSNR)
  // prefers the noisy output, SSIM the offset one: a disagreement on every id.
  let set: string;
  const flags = (out: string) => ['--comparator', 'fake', '--ref', join(set, 'ref'), '--method', `offset=${join(set, 'offset')}`, '--method', `noisy=${join(set, 'noisy')}`, '--out', out, '--resamples', '50'];

  beforeAll(async () => {
    set = join(root, 'explain-set');
    for (const dir of ['ref', 'offset', 'noisy']) await mkdir(join(set, dir), { recursive: true });
    for (let id = 0; id < 3; id++) {
      const random = mulberry32(50 + id);
      const reference = Uint8Array.from({ length: 40 * 40 * 3 }, () => 60 + Math.floor(random() * 130));
      await png(join(set, 'ref', `${id}.png`), reference, 40, 40);
      await png(join(set, 'offset', `${id}.png`), reference.map((v) => v + 10), 40, 40);
      await png(join(set, 'noisy', `${id}.png`), reference.map((v) => v + Math.round(12 * (2 * random() - 1))), 40, 40);
    }
  }, 60_000);

  it('writes the reasons of the strongest disagreements into the record and the report, and keeps them for a rerun', async () => {
    const out = join(root, 'explained');
    await runCompare(parseCompareArgs([...flags(out), '--explain', '2']), quiet);
    const summary = await summaryOf(out);
    expect(summary.disagreements.length).toBe(3);
    expect(summary.disagreements.every((d) => d.better === 'noisy' && d.metrics.ssim !== undefined)).toBe(true);
    expect(summary.explanations).toHaveLength(2);
    expect(summary.explanations.map((e) => [e.id, e.better, e.worse])).toEqual(summary.disagreements.slice(0, 2).map((d) => [d.id, d.better, d.worse]));
    for (const e of summary.explanations) {
      expect(e.text).toMatch(/^No model \(--comparator fake\): Image A has a PSNR of \d+\.\d\d dB, Image B \d+\.\d\d dB\.$/);
      expect(e.prefers).toBe('noisy');
    }
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain('## Why: the model’s reasons');
    expect(report).toContain(`### ${summary.explanations[0]!.id}: noisy (A) over offset (B)`);
    expect(report).toContain('In its reasoning it prefers noisy again.');

    // The merge asked again finds the answers in explanations.json and asks nothing.
    const err: string[] = [];
    await runCompare(parseCompareArgs(['merge', '--out', out, '--resamples', '50', '--explain', '2', '--comparator', 'fake']), { out: () => {}, err: (t) => err.push(t) });
    expect(err.join('')).not.toMatch(/compare explain/);
    expect((await summaryOf(out)).explanations).toEqual(summary.explanations);
  }, 60_000);

  it('refuses --explain on a merge without the model, and a confidence threshold that is not one', async () => {
    expect(() => parseCompareArgs(['merge', '--out', join(root, 'explained'), '--explain', '1'])).toThrow(/merge --explain asks the model for its reasons: give --bundle DIR/);
    expect(() => parseCompareArgs([...flags(join(root, 'x')), '--confident', '0.3'])).toThrow(/--confident must be a probability in \[0\.5, 1\), not "0\.3"/);
    expect(() => parseCompareArgs([...flags(join(root, 'x')), '--explain', 'two'])).toThrow(/--explain must be a whole number ≥ 0, not "two"/);
  });
});
