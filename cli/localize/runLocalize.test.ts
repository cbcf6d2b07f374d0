import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quadrantPair } from '../../src/core/localize/testing/quadrantPair.ts';
import type { RgbImage } from '../../src/core/vision/rgbImage.ts';
import { nodeOrt } from '../host/ortNode.ts';
import { buildTinyBundle, type TinyBundle } from '../host/testing/tinyBundle.ts';
import { parseLocalizeArgs } from './localizeArgs.ts';
import { runLocalize, type LocalizeRun } from './runLocalize.ts';

let root: string;
let bundle: TinyBundle;
const files: Record<string, string> = {};

const writePng = async (name: string, image: RgbImage) => {
  const path = join(root, name);
  await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toFile(path);
  return path;
};

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-localize-'));
  const { reference, a, b } = quadrantPair(160, 140);
  files.ref = await writePng('ref.png', reference);
  files.a = await writePng('a.png', a);
  files.b = await writePng('b.png', b);
  // Three images that differ everywhere, so no tile is skipped and every crop is its own.
  const everywhere = [1, 2, 3].map((seed) => quadrantPair(140, 140, seed).reference);
  for (const [k, name] of ['allRef', 'allA', 'allB'].entries()) files[name] = await writePng(`${name}.png`, everywhere[k]!);
  files.small = await writePng('small.png', quadrantPair(60, 60).a);
  bundle = await buildTinyBundle(join(root, 'model'), ['fp32'], { seed: 9, vision: true });
}, 180_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (text: string) => void out.push(text), err: (text: string) => void err.push(text) }, out, err };
}

describe('ask --task localize', () => {
  it('with the fake comparator: the identical quadrants skipped, each damaged one pointing to the better image', async () => {
    const { io, err } = capture();
    const run = await runLocalize(parseLocalizeArgs(['--task', 'localize', '--ref', files.ref!, '--a', files.a!, '--b', files.b!, '--grid', '2x2', '--comparator', 'fake']), io);
    expect(run).toMatchObject({ task: 'localize', comparator: 'fake', localize: { mode: 'compare', grid: { rows: 2, cols: 2 }, width: 160, height: 140 } });
    const [topLeft, topRight, bottomLeft, bottomRight] = run.localize.tiles;
    expect(topLeft).toMatchObject({ row: 0, col: 0, x: 0, y: 0, w: 80, h: 70, skipped: false });
    expect(topLeft!.pA!).toBeLessThan(0.1);
    expect(bottomRight!.pA!).toBeGreaterThan(0.9);
    expect([topRight!.skipped, bottomLeft!.skipped]).toEqual([true, true]);
    expect(run.localize.stats).toEqual({ asked: 2, skipped: 2, visionRuns: 0, prefillTokens: 0 });
    expect(err.join('')).toContain('tile 2 of 4 (row 1, column 2): no visible difference: identical pixels');
  });

  it('prints the JSON record from the command line, and refuses bad input with a clear message', async () => {
    const ask = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/ask.ts', '--task', 'localize', ...args], { cwd: join(import.meta.dirname, '../..') }).then(
        (result) => ({ code: 0, ...result }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const ok = await ask('--ref', files.ref!, '--a', files.a!, '--comparator', 'fake', '--grid', '2x2', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    const record = JSON.parse(ok.stdout) as LocalizeRun;
    expect(record.localize.mode).toBe('identify');
    expect(record.localize.tiles.map((tile) => (tile.skipped ? 'skipped' : tile.distortion))).toEqual(['blur', 'skipped', 'skipped', 'skipped']);

    const mismatch = await ask('--ref', files.ref!, '--a', files.allA!, '--comparator', 'fake');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('Image A is 140×140 but the reference is 160×140');
    const small = await ask('--ref', files.small!, '--a', files.small!, '--b', files.small!, '--comparator', 'fake');
    expect(small.stderr).toContain('smaller than one tile: the model reads at least 70×70 pixels');
    const fine = await ask('--ref', files.ref!, '--a', files.a!, '--comparator', 'fake', '--grid', '4x4');
    // A grid the image cannot hold is a bad argument (exit 2), with the finest one it can.
    expect(fine.code).toBe(2);
    expect(fine.stderr).toContain('Use --grid 2x2 or coarser');
    const badGrid = await ask('--ref', files.ref!, '--a', files.a!, '--comparator', 'fake', '--grid', 'big');
    expect(badGrid.code).toBe(2);
    expect(badGrid.stderr).toContain('--grid must be ROWSxCOLS');
  }, 60_000);

  it('with the tiny model: every asked tile has p(A better) in [0, 1], and each crop is encoded once', async () => {
    const { io, out } = capture();
    const run = await runLocalize(
      parseLocalizeArgs(['--task', 'localize', '--bundle', bundle.bundleDir, '--device', 'cpu', '--variant', 'fp32', '--context', '512', '--ref', files.allRef!, '--a', files.allA!, '--b', files.allB!, '--grid', '2x2']),
      io,
    );
    expect(run).toMatchObject({ comparator: 'engine', device: 'cpu', variant: 'fp32' });
    expect(run.localize.stats.asked).toBe(4);
    for (const tile of run.localize.tiles) {
      expect(tile.skipped).toBe(false);
      expect(tile.pA).toBeGreaterThanOrEqual(0);
      expect(tile.pA).toBeLessThanOrEqual(1);
    }
    // Three distinct crops per tile (reference, A, B), each through the vision encoder once although shown twice.
    expect(run.localize.stats.visionRuns).toBe(3 * 4);
    expect(run.localize.stats.prefillTokens).toBeGreaterThan(0);
    expect(out.join('')).toContain('4 tiles asked, 0 skipped; 12 vision runs');
  }, 180_000);

  it('with the tiny model and one image: the damaged tile asked the distortion question on its two crops, the rest skipped', async () => {
    const { io } = capture();
    const run = await runLocalize(
      parseLocalizeArgs(['--task', 'localize', '--bundle', bundle.bundleDir, '--device', 'cpu', '--variant', 'fp32', '--context', '512', '--ref', files.ref!, '--a', files.a!, '--grid', '2x2', '--json']),
      io,
    );
    expect(run.localize.mode).toBe('identify');
    expect(run.localize.tiles.map((tile) => tile.skipped)).toEqual([false, true, true, true]);
    const asked = run.localize.tiles[0]!;
    // The random tiny model may name no distortion; what it names is a string, with a confidence in [0, 1] or none.
    expect(asked.distortion === null || typeof asked.distortion === 'string').toBe(true);
    if (typeof asked.confidence === 'number') expect(asked.confidence).toBeGreaterThanOrEqual(0);
    expect(run.localize.stats).toMatchObject({ asked: 1, skipped: 3, visionRuns: 2 });
  }, 180_000);
});
