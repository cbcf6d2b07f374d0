import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeOrt } from './ortNode.ts';
import { parseRankArgs } from './rankArgs.ts';
import { runRank } from './runRank.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';
import { captureIo } from './testing/captureIo.ts';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

let root: string;
let bundle: TinyBundle;
let reference: string;
const candidates: string[] = [];

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-rank-cli-'));
  bundle = await buildTinyBundle(join(root, 'model'), ['fp32'], { seed: 9, vision: true });
  reference = join(root, 'ref.png');
  await writeFile(reference, (await randomPng('ref', 70, 70, 1)).bytes);
  for (let i = 0; i < 4; i++) {
    candidates.push(join(root, `c${i}.png`));
    await writeFile(candidates[i]!, (await randomPng(`c${i}`, 70, 84, 10 + i)).bytes);
  }
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('npm run rank', () => {
  it('--json prints one record: the ranking, each pair in both orders, the position bias and the work done', async () => {
    const { stdout } = await run(tsx, ['cli/rank.ts', '--bundle', bundle.bundleDir, '--ref', reference, '--candidates', ...candidates, '--all-pairs', '--device', 'cpu', '--json']);
    const record = JSON.parse(stdout);
    expect(record).toMatchObject({ device: 'cpu', variant: 'fp32', mode: 'allPairs', reference });
    expect(record.ranking).toHaveLength(4);
    expect(record.ranking.map((entry: { image: string }) => entry.image).sort()).toEqual([...candidates].sort());
    for (const entry of record.ranking) {
      expect(Object.keys(entry).sort()).toEqual(['high', 'image', 'index', 'losses', 'low', 'rank', 'score', 'votes', 'wins']);
      expect(entry.low).toBeLessThanOrEqual(entry.score);
      expect(entry.high).toBeGreaterThanOrEqual(entry.score);
      expect(entry.votes).toBeGreaterThan(0);
      expect(entry.votes).toBeLessThan(1);
    }
    expect(record.comparisons).toHaveLength(6);
    for (const pair of record.comparisons) {
      expect(pair.orders).toEqual([
        { a: pair.images[0], b: pair.images[1], pA: expect.any(Number), pB: expect.any(Number) },
        { a: pair.images[1], b: pair.images[0], pA: expect.any(Number), pB: expect.any(Number) },
      ]);
    }
    expect(record.positionBias).toBeGreaterThan(0);
    expect(record.positionBias).toBeLessThan(1);
    const { stats } = record;
    expect(stats).toMatchObject({ pairs: 6, comparisons: 12, modelRuns: 12, visionRuns: 5 });
    expect(stats.prefillTokensSaved).toBeGreaterThanOrEqual(11 * stats.sharedPrefix);
    // Candidates of one size: every comparison from scratch would prefill the same number of positions.
    expect((stats.prefillTokens + stats.prefillTokensSaved) % 12).toBe(0);
    expect(stats.prefillTokens).toBeLessThan(stats.prefillTokens + stats.prefillTokensSaved);
    expect(stats.elapsedMs).toBeGreaterThan(0);
  }, 60_000);

  it('--no-kv-reuse prefills every comparison whole and ranks the same', async () => {
    const args = ['--bundle', bundle.bundleDir, '--ref', reference, '--candidates', ...candidates, '--device', 'cpu', '--json'];
    const reused = JSON.parse((await run(tsx, ['cli/rank.ts', ...args])).stdout);
    const scratch = JSON.parse((await run(tsx, ['cli/rank.ts', ...args, '--no-kv-reuse'])).stdout);
    expect(scratch.stats.prefillTokensSaved).toBe(0);
    expect(reused.stats.prefillTokens).toBeLessThan(scratch.stats.prefillTokens);
    expect(scratch.ranking.map((entry: { image: string }) => entry.image)).toEqual(reused.ranking.map((entry: { image: string }) => entry.image));
    for (const [k, pair] of reused.comparisons.entries()) {
      for (const [o, order] of pair.orders.entries()) {
        expect(Math.abs(Math.log(order.pA / scratch.comparisons[k].orders[o].pA))).toBeLessThan(1e-4);
      }
    }
  }, 60_000);

  it('prints a table best first, and a summary to stderr', async () => {
    const { out, err, io } = captureIo();
    const result = await runRank(parseRankArgs(['--bundle', bundle.bundleDir, '--candidates', ...candidates.slice(0, 3), '--device', 'cpu']), io);
    const lines = out.join('').split('\n');
    expect(lines[0]).toMatch(/^rank +image +score +95% interval +votes +won–lost$/);
    expect(lines.slice(1, 4).map((line) => line.trim().split(/\s+/)[1])).toEqual(result.ranking.map((entry) => candidates[entry.index]));
    expect(out.join('')).toMatch(/position bias [\d.]+% for Image A/);
    expect(err.join('')).toMatch(/^active, 3 pairs in both orders on cpu \(fp32\) · 3 images encoded · 6 model runs · prefill \d+ of \d+ positions \(\d+ reused\)/);
  }, 60_000);

  it('reads the files after --candidates up to the next flag', () => {
    const args = parseRankArgs(['--candidates', 'a.png', 'b.png', '--ref', 'r.png', '--bundle', 'x', '--candidates', 'c.png', '--all-pairs']);
    expect(args).toMatchObject({ bundle: 'x', reference: 'r.png', candidates: ['a.png', 'b.png', 'c.png'], allPairs: true, json: false });
    expect(parseRankArgs(['--bundle', 'x']).candidates).toEqual([]);
    expect(() => parseRankArgs(['--candidates', 'a.png'])).toThrow(/--bundle is required/);
    expect(() => parseRankArgs(['--bundle', 'x', '--max-pairs', '0'])).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS' }));
  });

  it('refuses bad input with a message and a hint, exit status 1 and no stack trace', async () => {
    const rank = (argv: string[]) => run(tsx, ['cli/rank.ts', '--device', 'cpu', '--json', ...argv]).catch((error) => error);
    const cases: Array<[string[], string, RegExp]> = [
      [['--bundle', bundle.bundleDir, '--candidates', candidates[0]!], 'REQUEST_INVALID', /needs 2 to 64 candidates; 1 was given/],
      [['--bundle', bundle.bundleDir, '--candidates', ...new Array<string>(65).fill(candidates[0]!)], 'REQUEST_INVALID', /65 were given/],
      [['--bundle', bundle.bundleDir, '--candidates', candidates[0]!, join(root, 'missing.png')], 'FILE_NOT_FOUND', /missing\.png: cannot read candidate 2/],
      [['--bundle', join(root, 'nowhere'), '--candidates', ...candidates.slice(0, 2)], 'BUNDLE_NOT_FOUND', /nowhere/],
    ];
    for (const [argv, code, message] of cases) {
      const failure = await rank(argv);
      expect(failure.code).toBe(1);
      const { error } = JSON.parse(failure.stdout);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message), hint: expect.any(String) });
      expect(failure.stderr).toContain(`rank: ${code}: `);
      expect(failure.stderr).not.toMatch(/\n\s+at /);
    }
    const usage = await run(tsx, ['cli/rank.ts', '--candidates', ...candidates]).catch((error) => error);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--bundle is required');
  }, 120_000);
});
