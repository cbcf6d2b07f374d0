import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { configName, expectedFor, IDENTITY_CONFIGS, type IdentityFixtures } from '../tools/identity/configs.ts';
import { runIdentityInPage } from '../tools/identity/runInPage.ts';
import { serveCheck, type CheckServer } from '../tools/identity/serveCheck.ts';
import { expect, test } from './fixtures.ts';

/**
 * The engine in a module worker, as the app runs it, gives the Node engine's greedy tokens, id for id: on the
 * wasm EP in the `wasm` project and on WebGPU (every node on the GPU, no CPU fallback) in the `webgpu` project,
 * for the 4-bit and fp32 decoders, with image rows from the vision graph or fixed rows, including a second
 * question that reuses the KV cache of the first. On WebGPU the decode steps are captured and replayed, and once
 * uncaptured: the same tokens either way.
 */
const repo = resolve(import.meta.dirname, '..');
let root: string | undefined;
let fixtures: IdentityFixtures;
let server: CheckServer | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  root = await mkdtemp(join(tmpdir(), 'depictqa-identity-e2e-'));
  // Its own process: Playwright's loader cannot import the engine's JSON modules.
  await promisify(execFile)('npx', ['tsx', 'tools/identity/prepare.ts', root], { cwd: repo });
  fixtures = JSON.parse(await readFile(join(root, 'identity.json'), 'utf8')) as IdentityFixtures;
  server = await serveCheck(fixtures.siteDir, fixtures.bundleDir);
});

test.afterAll(async () => {
  await server?.close();
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

for (const config of IDENTITY_CONFIGS) {
  test(`${configName(config)}: the same greedy tokens as the engine in Node`, async ({ page }, testInfo) => {
    test.skip(testInfo.project.name !== config.backend, `a ${config.backend} configuration`);
    // SwiftShader runs the GPU kernels on two shared cores (a q4 configuration takes about 2.5 minutes there).
    test.setTimeout(480_000);
    const result = await runIdentityInPage(page, server!.origin, server!.bundleUrl, fixtures, config);
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    expect(result.model.backend).toBe(config.backend);
    expect(result.model.variant).toBe(config.variant);
    // On WebGPU decode steps are captured and replayed unless turned off; the record says which, and why not.
    const decode = config.backend === 'wasm' ? { graphCapture: false, reason: expect.stringMatching(/CPU backend/) } : config.graphCapture === false ? { graphCapture: false, reason: 'turned off' } : { graphCapture: true };
    expect(result.model.decode).toEqual(decode);
    expect(result.answers.map((answer) => answer.ids)).toEqual(expectedFor(fixtures, config));
    // The second question reused the images' part of the first prompt.
    expect(result.answers[1]!.stats.reusedPositions).toBeGreaterThan(0);
    // A ranking's orders that share Image A reuse its rows, and give the letters of every order from scratch.
    const { reused, scratch } = result.rankings;
    expect(scratch.map(({ first, second }) => [first, second])).toEqual(reused.map(({ first, second }) => [first, second]));
    // All pairs of three: (0, 1), (0, 2), (1, 0), …: the second order keeps Image A's rows, the third only the prefix.
    expect(reused.slice(0, 3).map(({ first }) => first)).toEqual([0, 0, 1]);
    expect(reused[1]!.reusedPositions).toBeGreaterThan(reused[2]!.reusedPositions);
    expect(reused[2]!.reusedPositions).toBeGreaterThan(0);
    expect(scratch.every((order) => order.reusedPositions === 0)).toBe(true);
    for (const [k, order] of reused.entries()) {
      expect(Math.abs(Math.log(order.pA / scratch[k]!.pA)), `order ${k} p(▁A)`).toBeLessThan(1e-4);
      expect(Math.abs(Math.log(order.pB / scratch[k]!.pB)), `order ${k} p(▁B)`).toBeLessThan(1e-4);
    }
    testInfo.annotations.push({
      type: 'speed',
      description: `prefill ${result.answers[0]!.stats.prefillTokensPerSecond.toFixed(0)} tok/s, decode ${result.answers[0]!.stats.decodeTokensPerSecond.toFixed(1)} tok/s on ${result.adapter ?? 'the CPU'}`,
    });
  });
}
