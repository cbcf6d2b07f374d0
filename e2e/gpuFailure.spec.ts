import type { Page } from '@playwright/test';
import type { GenerateRequest } from '../src/core/engine/generate.ts';
import { randomPng } from '../cli/host/testing/testImages.ts';
import { expect, test } from './fixtures.ts';
import type { HarnessCall, HarnessReply } from './gpuHarness/protocol.ts';
import { browserRssMb, WorkerHeap } from './gpuHarness/memory.ts';
import { startGpuHarness, type GpuHarness } from './gpuHarness/setup.ts';

/** Few tokens: enough to fail in the middle, cheap on SwiftShader and two shared cores. */
const ANSWER_TOKENS = 6;
const FAULT_AT = 3;
const LOADS = 20;
/** Growth allowed after the 2nd load, over the next 18: a leak of the tiny model's sessions or KV cache per load would pass it within a few loads. */
const MAX_HEAP_GROWTH_MB = 8;
const MAX_RSS_GROWTH_MB = 120;

let harness: GpuHarness | undefined;
let image: { name: string; bytes: number[] };

test.beforeAll(async () => {
  test.setTimeout(120_000);
  harness = await startGpuHarness();
  // 70×70: the fewest image rows (25), so the prompt prefills in few runs.
  const png = await randomPng('a.png', 70, 70, 3);
  image = { name: png.name, bytes: Array.from(png.bytes) };
});

test.afterAll(async () => {
  await harness?.dispose();
});

async function open(page: Page): Promise<(call: HarnessCall) => Promise<HarnessReply>> {
  await page.goto(harness!.pageUrl);
  await page.waitForFunction(() => document.title === 'gpu harness ready');
  return (call) => page.evaluate((data) => (globalThis as unknown as { gpuHarness: { call: (c: unknown) => Promise<HarnessReply> } }).gpuHarness.call(data), call);
}

function ok<T extends HarnessReply>(reply: T): Extract<T, { ok: true }> {
  if (!reply.ok) throw new Error(`harness call failed: ${reply.error.code}: ${reply.error.message}`);
  return reply as Extract<T, { ok: true }>;
}

async function loadAndEncode(call: (c: HarnessCall) => Promise<HarnessReply>, backend: 'webgpu' | 'wasm'): Promise<GenerateRequest> {
  ok(await call({ call: 'load', bundleUrl: harness!.bundleUrl, backend, variant: 'q4' }));
  const [id] = ok(await call({ call: 'encode', images: [image as never] })).imageIds!;
  return { task: 'description', images: { a: id! }, question: { index: 0 }, maxNewTokens: ANSWER_TOKENS, sampling: { temperature: 0 } };
}

test.describe('GPU failures', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== 'webgpu', 'GPU faults need the WebGPU project');
  });

  test('a device lost in the middle of an answer: no token after it, a clear error (twice: smaller settings), and the next answer is whole again', async ({ page }) => {
    test.setTimeout(720_000);
    const call = await open(page);
    const request = await loadAndEncode(call, 'webgpu');
    const before = ok(await call({ call: 'generate', request })).answer!;
    expect(before.error).toBeUndefined();
    const greedy = before.result!.ids;
    expect(greedy.length).toBeGreaterThan(FAULT_AT);
    expect(before.shownIds).toEqual(greedy);

    const failed = ok(await call({ call: 'generate', request, destroyAtTokens: FAULT_AT })).answer!;
    expect(failed.shownAtFault).toBe(FAULT_AT);
    // Nothing after the loss reached the page, and what came before is the greedy answer's start.
    expect(failed.shownIds).toEqual(greedy.slice(0, FAULT_AT));
    expect(failed.result).toBeUndefined();
    expect(failed.eventTypes.at(-1)).toBe('error');
    expect(failed.eventTypes).not.toContain('done');
    expect(failed.error).toMatchObject({ code: 'GPU_DEVICE_LOST', message: expect.stringContaining('The GPU device was lost while answering') });
    expect(failed.error!.hint).toContain('rebuilt from the files already loaded');

    // The next answer rebuilds the sessions; when it fails as well, the hint turns to smaller settings.
    const again = ok(await call({ call: 'generate', request, destroyAtTokens: 1 })).answer!;
    expect(again.shownIds).toEqual(greedy.slice(0, 1));
    expect(again.error).toMatchObject({ code: 'GPU_DEVICE_LOST', hint: expect.stringMatching(/^It failed 2 times in a row: load the model with a shorter max context or the q4 variant/) });

    // The next answer rebuilds the sessions on a fresh device and gives the same greedy tokens.
    const after = ok(await call({ call: 'generate', request }));
    expect(after.answer!.error).toBeUndefined();
    expect(after.answer!.result!.ids).toEqual(greedy);
    expect(after.deviceChanged).toBe(true);
  });

  test('a device lost while loading: the load fails clearly, the next load works', async ({ page }) => {
    test.setTimeout(300_000);
    const call = await open(page);
    const failed = await call({ call: 'load', bundleUrl: harness!.bundleUrl, backend: 'webgpu', variant: 'q4', destroyAfterPart: 'decoder' });
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toMatchObject({ code: 'GPU_DEVICE_LOST', message: expect.stringContaining('while loading the model') });

    const request = await loadAndEncode(call, 'webgpu');
    const answer = ok(await call({ call: 'generate', request })).answer!;
    expect(answer.error).toBeUndefined();
    expect(answer.result!.ids.length).toBeGreaterThan(0);
  });

  // A measurement, not a check of correctness: `npm run bench:gpu-scopes` runs it; `npm test` leaves it out.
  test('error scopes around every decode step cost no measurable time', async ({ page }) => {
    test.skip(process.env.BENCH_GPU_SCOPES === undefined, 'a benchmark: npm run bench:gpu-scopes');
    test.setTimeout(300_000);
    const call = await open(page);
    await loadAndEncode(call, 'webgpu');
    const { timings } = ok(await call({ call: 'scopeCost', request: {} as GenerateRequest, rounds: 2 }));
    const { plainMs, scopedMs, steps, scopeRoundTripMs } = timings!;
    console.log(
      `decode step on SwiftShader, median of ${steps}: ${plainMs.toFixed(1)} ms without scopes, ${scopedMs.toFixed(1)} ms with; ` +
        `three scopes pushed and popped, awaited at once: ${scopeRoundTripMs.toFixed(3)} ms`,
    );
    // The scopes' whole cost, even awaited at once, is a small part of a step; the steps themselves are noisy on shared cores.
    expect(scopeRoundTripMs).toBeLessThan(Math.max(2, plainMs * 0.05));
    expect(scopedMs).toBeLessThan(plainMs * 1.5 + 5);
  });
});

test('unload frees the model: 20 loads in a row of the same bundle, and the tab does not grow', async ({ page, browser }, testInfo) => {
  test.setTimeout(480_000);
  const backend = testInfo.project.name === 'webgpu' ? 'webgpu' : 'wasm';
  const call = await open(page);
  const loadOnce = () => call({ call: 'load', bundleUrl: harness!.bundleUrl, backend, variant: 'q4' });
  // The first answer runs before the loop, so that onnxruntime's own one-time allocations (wasm heap, pipelines) are in the baseline.
  const request = await loadAndEncode(call, backend);
  expect(ok(await call({ call: 'generate', request: { ...request, maxNewTokens: 2 } })).answer!.error).toBeUndefined();
  ok(await call({ call: 'unload' }));
  const heap = await WorkerHeap.attach(browser, 'engine-gpu-harness');
  const rows: Array<{ load: number; heapMb: number; rssMb: number; loadedHeapMb: number; loadedRssMb: number }> = [];
  for (let load = 1; load <= LOADS; load++) {
    const heapMb = await heap.usedMb();
    const rssMb = browserRssMb();
    ok(await loadOnce());
    const loadedHeapMb = await heap.usedMb();
    const loadedRssMb = browserRssMb();
    ok(await call({ call: 'unload' }));
    rows.push({ load, heapMb, rssMb, loadedHeapMb, loadedRssMb });
  }
  const finalHeap = await heap.usedMb();
  const finalRss = browserRssMb();
  const table = rows.map((row) => `${row.load}\t${row.heapMb.toFixed(1)}\t${row.loadedHeapMb.toFixed(1)}\t${row.rssMb.toFixed(0)}\t${row.loadedRssMb.toFixed(0)}`);
  console.log(`${backend}: load\tworker heap before\tloaded\tbrowser RSS before\tloaded (MiB)\n${table.join('\n')}\nafter the last unload: heap ${finalHeap.toFixed(1)}, RSS ${finalRss.toFixed(0)}`);
  const second = rows[1]!;
  expect(finalHeap - second.heapMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  expect(finalRss - second.rssMb).toBeLessThan(MAX_RSS_GROWTH_MB);
});
