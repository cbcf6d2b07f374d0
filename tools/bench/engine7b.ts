/**
 * npm run bench:engine -- --llama-7b [--bundle DIR] [--keep] [--load-only | --answer] [--steps N] [--json]
 *
 * The 7B-shaped model (Vicuna-7B shapes, random values) loaded in headless Chromium on WebGPU through the app's
 * worker and folder loader: without --bundle, the tiny factory writes the checkpoint (--shape llama-7b, 14.7 GB)
 * and the converter makes its q4 variant (no vision graph: image rows are fixed rows), the checkpoint is deleted
 * as soon as the bundle exists, and the bundle afterwards unless --keep. Reports load time, peak JS heap of the
 * page and of the engine worker while loading, peak RSS of the Chromium processes, and the time of a decode step.
 * If the machine's available memory falls under 1.5 GB the run is stopped and the numbers so far are reported.
 * Memory is sampled every 200 ms from /proc (RSS summed per Chromium process type, told apart by the --type=
 * flag on their command lines) and over CDP (JS heaps); "after load" is the sample taken once the model is loaded
 * (the worker holds there) and the page and its workers have been asked to collect garbage.
 * --json (with --load-only or --answer) prints the table on stderr and one JSON line on stdout: { weightBytes, loadMs, rss: { renderer, gpuProcess, browser }
 * each { peak, afterLoad } in bytes, jsHeapPeak } (the larger of the page's and the engine worker's).
 *
 * What runs after the load:
 * - by default, the decode probe (engine/decodeProbe.ts): BOS, then N (default 3) decode steps of one position
 *   each through the engine's LanguageModel; it reaches a decode step without a prompt's prefill;
 * - --answer: a description answer of 3 tokens to a ~75-position prompt (a 7B prefill on a software adapter
 *   takes hours);
 * - --load-only: nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../../src/core/format.ts';
import { randomPng } from '../node/testing/testImages.ts';
import { decoderWeightBytes } from './engine/benchBundles.ts';
import { make7bBundle } from './engine/llama7bBundle.ts';
import type { DecodeProbeResult } from './engine/decodeProbe.ts';
import { markdownTable } from './engine/benchTable.ts';
import { buildBenchPage, launchBenchBrowser, openBenchPage, runInPage, serveBench } from './engine/chromium.ts';
import { startMemorySampler, type MemoryPeaks, type MemorySampler } from './engine/memorySampler.ts';
import type { Page } from 'playwright-core';
import { readBundleManifest } from '../node/folderBundle.ts';
import { graphsFor } from '../../src/core/bundle/manifest.ts';

const MEMORY_FLOOR = 1.5 * 2 ** 30;

export type Llama7bMode = 'probe' | 'answer' | 'load-only';

/** The --json record of one run; bytes and milliseconds, null where the run did not get that far. */
export interface Llama7bRecord {
  weightBytes: number | null;
  loadMs: number | null;
  rss: Record<'renderer' | 'gpuProcess' | 'browser', { peak: number; afterLoad: number } | null>;
  jsHeapPeak: number | null;
  error?: string;
}

const RSS_TYPES = { renderer: 'renderer', gpuProcess: 'gpu-process', browser: 'browser' } as const;

export async function runLlama7b(options: { bundle?: string; keep: boolean; mode: Llama7bMode; steps: number; json?: boolean }): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-engine7b-'));
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const rows: Array<[string, string]> = [];
  const record: Llama7bRecord = { weightBytes: null, loadMs: null, rss: { renderer: null, gpuProcess: null, browser: null }, jsHeapPeak: null };
  try {
    const bundleDir = options.bundle ?? (await make7bBundle(scratch, 'q4', rows, log));
    const manifest = await readBundleManifest(bundleDir);
    const decoderBytes = decoderWeightBytes(manifest, 'q4');
    const bundleBytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
    const biggest = Math.max(...manifest.files.map((file) => file.bytes));
    const q4Paths = new Set([...graphsFor(manifest, 'q4').values()].flatMap((graph) => [graph.path, ...graph.externalData]));
    record.weightBytes = manifest.files.filter((file) => q4Paths.has(file.path)).reduce((sum, file) => sum + file.bytes, 0);
    rows.push(['bundle (q4)', `${formatBytes(bundleBytes)} in ${manifest.files.length} files, decoder ${formatBytes(decoderBytes)}, largest file ${formatBytes(biggest)}`]);

    const site = join(scratch, 'site');
    await buildBenchPage(site);
    const server = await serveBench(site, {});
    const context = await launchBenchBrowser(join(scratch, 'profile'));
    let peaks: MemoryPeaks | null = null;
    try {
      const run = await openBenchPage(context, server.origin, bundleDir);
      let stopped: string | null = null;
      const sampler = await startMemorySampler(context, run.page, {
        floorBytes: MEMORY_FLOOR,
        onLowMemory: (available) => {
          stopped = `stopped: the machine had ${formatBytes(available)} available`;
          log(stopped);
          void context.close();
        },
      });
      const image = await randomPng('small.png', 70, 70, 5);
      log(`loading in Chromium (WebGPU), then ${{ probe: `${options.steps} decode steps`, answer: 'an answer of 3 tokens', 'load-only': 'nothing' }[options.mode]}…`);
      const started = performance.now();
      // The scenario holds after its load until the loaded state is measured (then it goes on, and unloads).
      let afterLoad: Record<string, number> | null = null;
      const held = options.mode === 'probe' ? Promise.resolve() : measureWhenLoaded(run.page, sampler).then((rss) => void (afterLoad = rss));
      const reply = await runInPage(
        run,
        {
          source: 'folder',
          variant: 'q4',
          backend: 'webgpu',
          rows: 'fixed',
          maxContext: 256,
          loads: 1,
          images: [{ name: image.name, bytes: Array.from(image.bytes) }],
          contexts: options.mode === 'answer' ? [{ name: 'short', task: 'description', a: 0, question: 'How is the quality of this image?' }] : [],
          maxNewTokens: 3,
          ...(options.mode === 'probe' ? { decodeProbeSteps: options.steps } : { holdAfterLoad: true }),
        },
        log,
      ).catch((error: Error) => ({ type: 'failed' as const, error: { code: 'INTERNAL' as const, message: error.message.split('\n')[0]! } }));
      const wallMs = performance.now() - started;
      if (reply.type === 'done') await held;
      peaks = await sampler.stop();
      if (afterLoad !== null) peaks.lastRssByType = afterLoad;
      if (reply.type === 'done') {
        const result = reply.result;
        const context0 = result.contexts[0];
        rows.push(['adapter', `${reply.adapter ?? 'none'} (SwiftShader: software)`]);
        rows.push(['load (folder → engine worker → WebGPU sessions)', `${(result.firstLoadMs / 1000).toFixed(1)} s`]);
        record.loadMs = result.firstLoadMs;
        if (context0 !== undefined) rows.push(['prefill', `${context0.stats.prefillTokens} positions in ${(context0.stats.prefillMs / 1000).toFixed(1)} s (chunks of ${result.prefillChunk})`]);
        if (context0 !== undefined) rows.push(['decode step', context0.decodeSteps > 0 ? `${(context0.stats.decodeMs / context0.decodeSteps / 1000).toFixed(2)} s (${context0.decodeSteps} steps; decoder session.run ${(context0.decoderRunMs / context0.decodeSteps / 1000).toFixed(2)} s)` : 'no decode step ran']);
      } else if (reply.type === 'probed') {
        rows.push(...probeRows(reply.result, reply.adapter));
        record.loadMs = reply.result.loadMs;
      } else {
        record.error = stopped ?? (reply.type === 'failed' ? `${reply.error.code}: ${reply.error.message}` : 'no result');
        rows.push(['result', `failed after ${(wallMs / 1000).toFixed(0)} s: ${stopped ?? (reply.type === 'failed' ? `${reply.error.code}: ${reply.error.message}` : 'no result')}`]);
      }
      if (run.problems.length > 0) rows.push(['page problems', run.problems.slice(0, 3).join(' | ')]);
    } finally {
      await context.close().catch(() => undefined);
      server.close();
    }
    if (peaks !== null) {
      const heap = (value: number | null) => (value === null ? 'not readable' : formatBytes(value));
      rows.push(['peak JS heap used, page (CDP Performance.getMetrics)', heap(peaks.pageHeapUsed)]);
      rows.push(['peak JS heap used, engine worker (CDP Runtime.getHeapUsage)', `${heap(peaks.workerHeapUsed)} (target ≤ 500 MB)`]);
      for (const [type, rss] of Object.entries(peaks.rssByType)) {
        const shmem = formatBytes(peaks.shmemByType[type] ?? 0);
        rows.push([`peak RSS, Chromium ${type} processes`, `${formatBytes(rss)} (after load ${formatBytes(peaks.lastRssByType[type] ?? 0)}; shared memory at most ${shmem})`]);
      }
      for (const [key, type] of Object.entries(RSS_TYPES) as Array<[keyof typeof RSS_TYPES, string]>) {
        const peak = peaks.rssByType[type];
        record.rss[key] = peak === undefined ? null : { peak, afterLoad: peaks.lastRssByType[type] ?? 0 };
      }
      const heaps = [peaks.pageHeapUsed, peaks.workerHeapUsed].filter((value) => value !== null);
      record.jsHeapPeak = heaps.length === 0 ? null : Math.max(...heaps);
      rows.push(['peak RSS, all Chromium processes at one sample', formatBytes(peaks.rssTotal)]);
      rows.push(['lowest MemAvailable on the machine during the load', `${formatBytes(peaks.minAvailable)} (${peaks.samples} samples)`]);
    }
  } catch (error) {
    rows.push(['failed', (error as Error).message.split('\n')[0]!]);
    record.error = (error as Error).message.split('\n')[0]!;
    process.exitCode = 1;
  } finally {
    if (options.keep) log(`kept ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
  const load = loadavg().map((value) => value.toFixed(2)).join(' / ');
  // With --json, stdout is the one JSON line and the table goes to stderr.
  const print = (text: string) => (options.json === true ? process.stderr.write(`${text}\n`) : console.log(text));
  print(`\n7B-shaped model in Chromium (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load} at the end)\n`);
  print(markdownTable(['measure', 'value'], rows));
  if (options.json === true) console.log(JSON.stringify(record));
}

/** The decode probe's rows: load, the one-position first run, then each decode step and their median. */
function probeRows(result: DecodeProbeResult, adapter: string | null): Array<[string, string]> {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows: Array<[string, string]> = [
    ['adapter', `${adapter ?? 'none'} (SwiftShader: software)`],
    ['load (folder → engine worker → WebGPU sessions)', `${(result.loadMs / 1000).toFixed(1)} s`],
    ['first run (BOS, empty cache)', seconds(result.firstRunMs)],
  ];
  for (const step of result.steps) rows.push([`decode step after ${step.past} cached positions`, `${seconds(step.ms)} (decoder session.run ${seconds(step.decoderRunMs)})`]);
  const sorted = result.steps.map((step) => step.ms).sort((a, b) => a - b);
  if (sorted.length > 0) rows.push(['decode step, median', `${seconds(sorted[Math.floor(sorted.length / 2)]!)} over ${sorted.length} steps`]);
  rows.push(['greedy tokens after BOS', result.tokens.slice(1).join(' ')]);
  return rows;
}

/** Waits until the page's scenario holds after its load, measures the loaded state, and lets it go on. */
async function measureWhenLoaded(page: Page, sampler: MemorySampler): Promise<Record<string, number>> {
  for (;;) {
    const loaded = await page.evaluate(() => (globalThis as unknown as { isLoaded: () => boolean }).isLoaded());
    if (loaded) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await sampler.settle();
  const rss = { ...sampler.peaks.lastRssByType };
  await page.evaluate(() => (globalThis as unknown as { resumeBench: () => void }).resumeBench());
  return rss;
}
