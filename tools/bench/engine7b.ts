/**
 * npm run bench:engine -- --llama-7b [--bundle DIR] [--keep] [--load-only | --answer] [--steps N] [--json]
 *                                    [--source folder|cache] [--baseline] [--rounds N]
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
 * each { peak, afterLoad } in bytes, jsHeapPeak } (the larger of the page's and the engine worker's), plus `source`
 * and `loads` (each load's record); with more than one load, each field is the median over the loads.
 *
 * --source cache: the bundle is first downloaded into the OPFS cache of the profile (over HTTP from localhost; not
 * measured), and the measured loads open it from there. --baseline: every round also loads it with the chunks read
 * whole before the sessions are created (the engine before it read them in parts), alternating with the normal
 * load, each in a fresh browser on the same profile; the JSON gets `baseline`, the medians of those loads, and the
 * table the load time of one against the other. --rounds N: N loads of each kind (default 1).
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
import { randomPng } from '../../cli/host/testing/testImages.ts';
import { decoderWeightBytes } from './engine/benchBundles.ts';
import { make7bBundle } from './engine/llama7bBundle.ts';
import type { DecodeProbeResult } from './engine/decodeProbe.ts';
import { markdownTable } from './engine/benchTable.ts';
import { launchBenchBrowser, openBenchPage, runInPage, startBenchSite } from './engine/chromium.ts';
import { startMemorySampler, type MemoryPeaks, type MemorySampler } from './engine/memorySampler.ts';
import type { Page } from 'playwright-core';
import type { ContextPlan } from './engine/scenario.ts';
import { medianOfPresent, sameRunOrder } from './sameRun.ts';
import { readBundleManifest } from '../../cli/host/folderBundle.ts';
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

export interface Llama7bOptions {
  bundle?: string;
  keep: boolean;
  mode: Llama7bMode;
  steps: number;
  json?: boolean;
  /** Where the measured loads read the bundle: the picked folder, or the OPFS cache (downloaded first, not measured). */
  source?: 'folder' | 'cache';
  /** Also load with the chunks read whole (the engine before it read them in parts), alternating, in the same run. */
  baseline?: boolean;
  /** Loads of each kind (a fresh browser on the same profile for each). */
  rounds?: number;
}

/** One measured load: its record and its table rows. */
interface LoadRun {
  reads: Reads;
  record: Llama7bRecord;
  rows: Array<[string, string]>;
}

type Reads = 'parts' | 'whole';

export async function runLlama7b(options: Llama7bOptions): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-engine7b-'));
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const source = options.source ?? 'folder';
  const rows: Array<[string, string]> = [];
  const runs: LoadRun[] = [];
  let weightBytes: number | null = null;
  let failure: string | null = null;
  try {
    const bundleDir = options.bundle ?? (await make7bBundle(scratch, 'q4', rows, log));
    const manifest = await readBundleManifest(bundleDir);
    const decoderBytes = decoderWeightBytes(manifest, 'q4');
    const bundleBytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
    const biggest = Math.max(...manifest.files.map((file) => file.bytes));
    const q4Paths = new Set([...graphsFor(manifest, 'q4').values()].flatMap((graph) => [graph.path, ...graph.externalData]));
    weightBytes = manifest.files.filter((file) => q4Paths.has(file.path)).reduce((sum, file) => sum + file.bytes, 0);
    rows.push(['bundle (q4)', `${formatBytes(bundleBytes)} in ${manifest.files.length} files, decoder ${formatBytes(decoderBytes)}, largest file ${formatBytes(biggest)}`]);

    const server = await startBenchSite({ '7b': bundleDir });
    const url = `${server.origin}/bundles/7b/`;
    const profile = join(scratch, 'profile');
    try {
      if (source === 'cache') {
        log('downloading the bundle into the OPFS cache (not measured)…');
        const started = performance.now();
        const context = await launchBenchBrowser(profile);
        try {
          const run = await openBenchPage(context, server.origin);
          const reply = await runInPage(run, { ...scenario('load-only', 1), source: { kind: 'url', url } }, log);
          if (reply.type !== 'done') throw new Error(`the download failed: ${reply.type === 'failed' ? `${reply.error.code}: ${reply.error.message}` : reply.type}`);
        } finally {
          await context.close().catch(() => undefined);
        }
        rows.push(['download into the OPFS cache, then one load (not measured)', `${((performance.now() - started) / 1000).toFixed(0)} s`]);
      }
      const rounds = options.rounds ?? 1;
      // Baseline and new alternate (whole, parts, parts, whole, …) so that a drift of the machine hits both alike.
      const order = sameRunOrder<Reads>(rounds, 'parts', options.baseline === true ? 'whole' : undefined);
      for (const [index, reads] of order.entries()) {
        log(`load ${index + 1} of ${order.length}: chunks read ${reads === 'parts' ? 'in parts' : 'whole (baseline)'}, from the ${source}`);
        const run = await measureLoad({ profile, origin: server.origin, ...(source === 'folder' ? { folder: bundleDir } : { url }), reads, mode: options.mode, steps: options.steps, log });
        run.record.weightBytes = weightBytes;
        runs.push(run);
        if (run.record.error !== undefined) break;
      }
    } finally {
      await server.dispose();
    }
  } catch (error) {
    failure = (error as Error).message.split('\n')[0]!;
    rows.push(['failed', failure]);
    process.exitCode = 1;
  } finally {
    if (options.keep) log(`kept ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
  if (runs.some((run) => run.record.error !== undefined)) process.exitCode = 1;

  const load = loadavg().map((value) => value.toFixed(2)).join(' / ');
  // With --json, stdout is the one JSON line and the table goes to stderr.
  const print = (text: string) => (options.json === true ? process.stderr.write(`${text}\n`) : console.log(text));
  print(`\n7B-shaped model in Chromium, loaded from the ${source} (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load} at the end)\n`);
  if (runs.length === 1) rows.push(...runs[0]!.rows);
  print(markdownTable(['measure', 'value'], rows));
  if (runs.length > 1) {
    print('');
    print(markdownTable(LOADS_HEADER, runs.map((run, index) => loadLine(`${index + 1}`, run.reads, run.record))));
    print('');
    const summary = (['whole', 'parts'] as const).flatMap((reads) => {
      const records = runs.filter((run) => run.reads === reads).map((run) => run.record);
      return records.length === 0 ? [] : [loadLine(`median of ${records.length}`, reads, medianRecord(records))];
    });
    // With one load of each kind, the medians are those loads again.
    if (runs.length > summary.length) print(markdownTable(LOADS_HEADER, summary));
    const ms = (reads: Reads) => medianRecord(runs.filter((run) => run.reads === reads).map((run) => run.record)).loadMs;
    const [whole, parts] = [ms('whole'), ms('parts')];
    if (whole !== null && parts !== null) print(`\nload time, in parts / whole: ${((parts / whole) * 100).toFixed(1)}% (medians)`);
  }
  if (options.json === true) {
    const ofKind = (reads: Reads) => runs.filter((run) => run.reads === reads).map((run) => run.record);
    const parts = ofKind('parts');
    const main: Llama7bRecord = parts.length === 0 ? emptyRecord(weightBytes) : medianRecord(parts);
    if (failure !== null) main.error = failure;
    const whole = ofKind('whole');
    console.log(JSON.stringify({ ...main, source, loads: runs.map((run) => ({ reads: run.reads, ...run.record })), ...(whole.length === 0 ? {} : { baseline: medianRecord(whole) }) }));
  }
}

const LOADS_HEADER = ['load', 'chunks read', 'loadMs', 'renderer peak', 'renderer after load', 'peak − after load', 'GPU process peak', 'browser peak', 'JS heap peak'];

function loadLine(label: string, reads: Reads, record: Llama7bRecord): string[] {
  const bytes = (value: number | null | undefined) => (value === null || value === undefined ? '–' : formatBytes(value));
  const renderer = record.rss.renderer;
  return [
    label,
    reads === 'parts' ? 'in parts' : 'whole (baseline)',
    record.loadMs === null ? '–' : `${(record.loadMs / 1000).toFixed(1)} s`,
    bytes(renderer?.peak),
    bytes(renderer?.afterLoad),
    renderer === null ? '–' : formatBytes(renderer.peak - renderer.afterLoad),
    bytes(record.rss.gpuProcess?.peak),
    bytes(record.rss.browser?.peak),
    bytes(record.jsHeapPeak),
  ];
}

function emptyRecord(weightBytes: number | null): Llama7bRecord {
  return { weightBytes, loadMs: null, rss: { renderer: null, gpuProcess: null, browser: null }, jsHeapPeak: null };
}

/** Each field's median over `records` (those that have it). */
export function medianRecord(records: readonly Llama7bRecord[]): Llama7bRecord {
  const rss = Object.fromEntries(
    (Object.keys(RSS_TYPES) as Array<keyof typeof RSS_TYPES>).map((key) => {
      const peak = medianOfPresent(records.map((record) => record.rss[key]?.peak));
      const afterLoad = medianOfPresent(records.map((record) => record.rss[key]?.afterLoad));
      return [key, peak === null || afterLoad === null ? null : { peak, afterLoad }];
    }),
  ) as Llama7bRecord['rss'];
  const errors = records.flatMap((record) => (record.error === undefined ? [] : [record.error]));
  return {
    weightBytes: records[0]?.weightBytes ?? null,
    loadMs: medianOfPresent(records.map((record) => record.loadMs)),
    rss,
    jsHeapPeak: medianOfPresent(records.map((record) => record.jsHeapPeak)),
    ...(errors.length === 0 ? {} : { error: errors[0]! }),
  };
}

/** The scenario of one 7B load: fixed image rows, a short cache, and after the load what `mode` says. */
function scenario(mode: Llama7bMode, steps: number) {
  return {
    variant: 'q4' as const,
    backend: 'webgpu' as const,
    rows: 'fixed' as const,
    maxContext: 256,
    loads: 1 as const,
    images: [] as Array<{ name: string; bytes: number[] }>,
    contexts: [] as ContextPlan[],
    maxNewTokens: 3,
    ...(mode === 'probe' ? { decodeProbeSteps: steps } : {}),
  };
}

/** Loads the bundle once in a fresh browser on `profile`, sampling memory, and reports it as a record and rows. */
async function measureLoad(options: {
  profile: string;
  origin: string;
  folder?: string;
  url?: string;
  reads: Reads;
  mode: Llama7bMode;
  steps: number;
  log: (line: string) => void;
}): Promise<LoadRun> {
  const { mode, log } = options;
  const rows: Array<[string, string]> = [];
  const record = emptyRecord(null);
  const where = options.folder !== undefined ? 'folder' : 'OPFS cache';
  const context = await launchBenchBrowser(options.profile);
  let peaks: MemoryPeaks;
  try {
    const run = await openBenchPage(context, options.origin, options.folder);
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
    const started = performance.now();
    // The scenario holds after its load until the loaded state is measured (then it goes on, and unloads).
    let afterLoad: Record<string, number> | null = null;
    const held = mode === 'probe' ? Promise.resolve() : measureWhenLoaded(run.page, sampler).then((rss) => void (afterLoad = rss));
    const reply = await runInPage(
      run,
      {
        ...scenario(mode, options.steps),
        source: options.url !== undefined ? { kind: 'url', url: options.url } : 'folder',
        reads: options.reads,
        images: [{ name: image.name, bytes: Array.from(image.bytes) }],
        contexts: mode === 'answer' ? [{ name: 'short', task: 'description', a: 0, question: 'How is the quality of this image?' }] : [],
        ...(mode === 'probe' ? {} : { holdAfterLoad: true }),
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
      rows.push([`load (${where} → engine worker → WebGPU sessions)`, `${(result.firstLoadMs / 1000).toFixed(1)} s`]);
      record.loadMs = result.firstLoadMs;
      if (context0 !== undefined) rows.push(['prefill', `${context0.stats.prefillTokens} positions in ${(context0.stats.prefillMs / 1000).toFixed(1)} s (chunks of ${result.prefillChunk})`]);
      if (context0 !== undefined) rows.push(['decode step', context0.decodeSteps > 0 ? `${(context0.stats.decodeMs / context0.decodeSteps / 1000).toFixed(2)} s (${context0.decodeSteps} steps; decoder session.run ${(context0.decoderRunMs / context0.decodeSteps / 1000).toFixed(2)} s)` : 'no decode step ran']);
    } else if (reply.type === 'probed') {
      rows.push(...probeRows(reply.result, reply.adapter, where));
      record.loadMs = reply.result.loadMs;
    } else {
      record.error = stopped ?? (reply.type === 'failed' ? `${reply.error.code}: ${reply.error.message}` : 'no result');
      rows.push(['result', `failed after ${(wallMs / 1000).toFixed(0)} s: ${record.error}`]);
    }
    if (run.problems.length > 0) rows.push(['page problems', run.problems.slice(0, 3).join(' | ')]);
  } finally {
    await context.close().catch(() => undefined);
  }
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
  return { reads: options.reads, record, rows };
}

/** The decode probe's rows: load, the one-position first run, then each decode step and their median. */
function probeRows(result: DecodeProbeResult, adapter: string | null, where: string): Array<[string, string]> {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows: Array<[string, string]> = [
    ['adapter', `${adapter ?? 'none'} (SwiftShader: software)`],
    [`load (${where} → engine worker → WebGPU sessions)`, `${(result.loadMs / 1000).toFixed(1)} s`],
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
