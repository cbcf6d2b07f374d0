/**
 * npm run bench:soak [-- --comparisons 300] [--answers 50] [--browser-comparisons 100] [--device cpu|webgpu]
 *                      [--skip-node] [--skip-browser] [--bundles DIR]
 *
 * Does the engine keep its memory over a long job? One Node engine (onnxruntime-web's wasm, or onnxruntime-node's
 * WebGPU EP with --device webgpu) answers 300 brief comparisons and 50 free answers of the tiny bundle, and one
 * Chromium page's engine worker (WebGPU) 100 comparisons. At the start (after one comparison and one answer, so
 * that what is allocated once is there), halfway and at the end, after a garbage collection, it reads:
 * - Node: the process's RSS, JS heap used and external (ArrayBuffer) memory;
 * - Chromium: the RSS of its renderer and GPU processes (from /proc), the engine worker's JS heap (CDP), and the
 *   GPU buffers the worker created and did not destroy.
 * Prints a Markdown table of the three checkpoints and the growth from start to end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { formatBytes } from '../../src/core/format.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { createNodeEngine } from '../../cli/host/nodeHost.ts';
import { randomPng } from '../../cli/host/testing/testImages.ts';
import { nodeOrt } from '../../cli/host/ortNode.ts';
import { buildBenchBundle } from './engine/benchBundles.ts';
import { markdownTable } from './engine/benchTable.ts';
import { launchBenchBrowser, openBenchPage, runInPage, startBenchSite } from './engine/chromium.ts';
import { startMemorySampler, type MemorySampler } from './engine/memorySampler.ts';
import { runSoak, type SoakProgress } from './soak/soakRun.ts';
import { parseFlags } from '../../cli/flags/flags.ts';

const USAGE = `Usage: npm run bench:soak [-- --comparisons 300] [--answers 50] [--browser-comparisons 100] [--device cpu|webgpu]
                     [--skip-node] [--skip-browser] [--bundles DIR]`;

const flags = parseFlags(
  process.argv.slice(2),
  {
    comparisons: { type: 'string', default: '300' },
    answers: { type: 'string', default: '50' },
    'browser-comparisons': { type: 'string', default: '100' },
    'answer-tokens': { type: 'string', default: '16' },
    device: { type: 'string', default: 'cpu' },
    'skip-node': { type: 'boolean', default: false },
    'skip-browser': { type: 'boolean', default: false },
    bundles: { type: 'string' },
  },
  USAGE,
);
const count = (text: string, flag: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${flag} ${text}: expected an integer ≥ 0`);
  return value;
};
const comparisons = count(flags.comparisons, 'comparisons');
const answers = count(flags.answers, 'answers');
const browserComparisons = count(flags['browser-comparisons'], 'browser-comparisons');
const answerTokens = count(flags['answer-tokens'], 'answer-tokens');
const device = flags.device;
if (device !== 'cpu' && device !== 'webgpu') throw new Error(`--device ${device}: expected cpu or webgpu`);
const note = (line: string) => process.stderr.write(`  ${line}\n`);

interface Checkpoint {
  label: string;
  done: SoakProgress;
  values: Record<string, number | null>;
}

const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-soak-'));
const tables: string[] = [];
try {
  const bundle = await buildBenchBundle(flags.bundles ?? scratch, 'tiny', ['q4']);
  // A reference and six candidates of DepictQA's usual size: 16 × 16 image rows each.
  const images: ImageInput[] = [];
  for (let k = 0; k < 7; k++) images.push(await randomPng(`soak-${k}.png`, 224, 224, 100 + k));

  if (!flags['skip-node']) {
    await nodeOrt();
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) note('no global gc (run with node --expose-gc, as npm run bench:soak does): the heap is read without a collection');
    const engine = createNodeEngine({}, device);
    const model = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant: 'q4', maxContext: 2048 });
    process.stderr.write(`Node soak: ${comparisons} comparisons and ${answers} answers, ${model.backend}…\n`);
    const checkpoints: Checkpoint[] = [];
    await runSoak(
      engine,
      { comparisons, answers, images, answerTokens },
      async (label, done) => {
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 200));
        gc?.();
        const usage = process.memoryUsage();
        checkpoints.push({ label, done, values: { rss: usage.rss, heap: usage.heapUsed, external: usage.external } });
      },
      note,
    );
    await engine.unload();
    const gpu = device === 'webgpu' ? 'not counted (onnxruntime-node keeps its Dawn device inside)' : 'none (CPU)';
    tables.push(
      `Node, ${model.backend} (${device}), q4 tiny bundle; live GPU buffers: ${gpu}\n\n` +
        markdownTable(['checkpoint', 'comparisons', 'answers', 'RSS', 'JS heap used', 'external'], rowsOf(checkpoints, ['rss', 'heap', 'external'])),
    );
  }

  if (!flags['skip-browser'] && browserComparisons > 0) {
    const server = await startBenchSite({ tiny: bundle.bundleDir });
    const context = await launchBenchBrowser(join(scratch, 'profile'));
    try {
      const run = await openBenchPage(context, server.origin);
      const sampler = await startMemorySampler(context, run.page, { floorBytes: 2 * 2 ** 30, onLowMemory: (available) => note(`low memory: ${formatBytes(available)} available`) });
      process.stderr.write(`Chromium soak: ${browserComparisons} comparisons in the engine worker…\n`);
      const checkpoints: Checkpoint[] = [];
      const measuring = measureCheckpoints(run.page, sampler, checkpoints);
      const reply = await runInPage(
        run,
        {
          source: { kind: 'url', url: `${server.origin}/bundles/tiny/` },
          variant: 'q4',
          backend: 'webgpu',
          maxContext: 2048,
          images: images.map((image) => ({ name: image.name, bytes: Array.from(image.bytes) })),
          contexts: [],
          maxNewTokens: answerTokens,
          loads: 1,
          rows: 'vision',
          soak: { comparisons: browserComparisons, answers: 0, answerTokens },
        },
        note,
      );
      await measuring;
      await sampler.stop();
      if (reply.type !== 'soaked') throw new Error(`the browser soak failed: ${reply.type === 'failed' ? `${reply.error.code}: ${reply.error.message}` : reply.type}`);
      const problems = run.problems.length > 0 ? `; page problems: ${run.problems.slice(0, 2).join(' | ')}` : '';
      tables.push(
        `Chromium engine worker, WebGPU (${reply.adapter ?? 'no adapter'}; software), q4 tiny bundle${problems}\n\n` +
          markdownTable(
            ['checkpoint', 'comparisons', 'answers', 'renderer RSS', 'GPU process RSS', 'worker JS heap', 'live GPU buffers'],
            rowsOf(checkpoints, ['renderer', 'gpu-process', 'workerHeap', 'gpuBuffers']),
          ),
      );
    } finally {
      await context.close();
      await server.dispose();
    }
  }
  console.log(`\nSoak (${new Date().toISOString()}): memory at the start (after a warm-up), halfway and at the end, after a garbage collection.\n`);
  console.log(tables.join('\n\n'));
} finally {
  if (flags.bundles === undefined) await rm(scratch, { recursive: true, force: true });
}

/** Each time the worker holds at a checkpoint: garbage collection, one sample, then it goes on; until the end. */
async function measureCheckpoints(page: Page, sampler: MemorySampler, out: Checkpoint[]): Promise<void> {
  for (;;) {
    const held = await page.evaluate(() => (globalThis as unknown as { isLoaded: () => false | { checkpoint?: string; liveGpuBuffers?: number; done?: SoakProgress } }).isLoaded());
    if (held === false) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    await sampler.settle(1000);
    const rss = sampler.peaks.lastRssByType;
    out.push({
      label: held.checkpoint ?? '?',
      done: held.done ?? { comparisons: 0, answers: 0 },
      values: { renderer: rss.renderer ?? null, 'gpu-process': rss['gpu-process'] ?? null, workerHeap: sampler.peaks.lastWorkerHeapUsed, gpuBuffers: held.liveGpuBuffers ?? null },
    });
    await page.evaluate(() => (globalThis as unknown as { resumeBench: () => void }).resumeBench());
    if (held.checkpoint === 'end') return;
  }
}

/** The checkpoints' rows, then the growth from start to end. */
function rowsOf(checkpoints: readonly Checkpoint[], keys: readonly string[]): string[][] {
  const show = (key: string, value: number | null) => (value === null ? '–' : key === 'gpuBuffers' ? String(value) : formatBytes(value));
  const rows = checkpoints.map((c) => [c.label, String(c.done.comparisons), String(c.done.answers), ...keys.map((key) => show(key, c.values[key] ?? null))]);
  const first = checkpoints[0];
  const last = checkpoints.at(-1);
  if (first !== undefined && last !== undefined) {
    rows.push([
      'growth, start → end',
      '',
      '',
      ...keys.map((key) => {
        const a = first.values[key] ?? null;
        const b = last.values[key] ?? null;
        if (a === null || b === null) return '–';
        const delta = b - a;
        return key === 'gpuBuffers' ? `${delta >= 0 ? '+' : ''}${delta}` : `${delta >= 0 ? '+' : '−'}${formatBytes(Math.abs(delta))} (${((delta / a) * 100).toFixed(1)}%)`;
      }),
    ]);
  }
  return rows;
}
