import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMetricsCli } from '../metrics.ts';

const fixtures = fileURLToPath(new URL('../../src/core/metrics/fixtures/', import.meta.url));
const astronaut = join(fixtures, 'astronaut.png');
const astronautJpeg = join(fixtures, 'astronaut_q10.jpg');
const camera = join(fixtures, 'camera.png');
let dir = '';

async function run(...args: string[]): Promise<{ status: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const status = await runMetricsCli(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { status, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metrics-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('npm run metrics', () => {
  it('prints one JSON line per distorted image with every metric; identical images are "Infinity"', async () => {
    const { status, stdout, stderr } = await run(astronaut, astronautJpeg, astronaut);
    expect([status, stderr]).toEqual([0, []]);
    expect(stdout).toHaveLength(2);
    const [jpeg, same] = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(jpeg).toMatchObject({ distorted: astronautJpeg, width: 176, height: 176, identical: false });
    for (const key of ['psnrRgb', 'psnrLuma', 'ssim', 'msSsim', 'gmsd']) expect(typeof jpeg![key]).toBe('number');
    // The Python reference's values for this pair (tools/fixtures/metrics_fixtures.py).
    expect(jpeg!.ssim as number).toBeCloseTo(0.8154514768, 6);
    expect(same).toMatchObject({ identical: true, psnrRgb: 'Infinity', psnrLuma: 'Infinity', ssim: 1, gmsd: 0 });
  });

  it('measures the good files, reports each bad one on one line, and exits 1', async () => {
    const missing = join(dir, 'missing.png');
    const { status, stdout, stderr } = await run(astronaut, camera, missing, astronautJpeg);
    expect(status).toBe(1);
    expect(stdout).toHaveLength(1);
    expect(stderr).toEqual([
      `metrics: "${camera}" is 512×512 but "${astronaut}" is 176×176 (Full-reference metrics compare pixel by pixel: give both images the same size.)`,
      `metrics: ${missing}: no such file`,
    ]);
  });

  it('refuses images smaller than the SSIM window, and files that are not images', async () => {
    const tiny = join(dir, 'tiny.png');
    await sharp({ create: { width: 7, height: 7, channels: 3, background: '#808080' } }).png().toFile(tiny);
    const small = await run(tiny, tiny);
    expect(small.status).toBe(1);
    expect(small.stderr[0]).toMatch(/^metrics: ".*tiny\.png" is 7×7; SSIM \(11×11 window\) needs at least 11×11 pixels/);
    const junk = join(dir, 'junk.png');
    await writeFile(junk, 'not an image');
    const bad = await run(junk, astronaut);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toHaveLength(1);
    expect(bad.stderr[0]).toMatch(/junk\.png: cannot decode the image/);
  });

  it('says how to call it when the arguments are wrong', async () => {
    expect((await run(astronaut)).status).toBe(2);
    expect((await run('--fast', astronaut, astronaut)).stderr[0]).toMatch(/unknown option --fast; usage:/);
  });

  it('runs as a process with a non-zero exit status on bad input', async () => {
    const execFileAsync = promisify(execFile);
    const script = fileURLToPath(new URL('../metrics.ts', import.meta.url));
    const failure: unknown = await execFileAsync(process.execPath, ['--import', 'tsx', script, astronaut, camera]).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  }, 30_000);
});
