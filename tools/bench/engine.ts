/**
 * npm run bench:engine [-- --device node-wasm|browser|node-webgpu] [--skip-tiny] [--skip-100m] [--tokens N]
 *                         [--browser-tokens N] [--browser-contexts 1k,2k] [--wasm-tier optimized|baseline]
 *                         [--variant q4|q4f16] [--bundles DIR] [--keep] [--baseline] [--rounds N]
 * npm run bench:engine -- --llama-7b [--device browser|node-webgpu] [--bundle DIR] [--keep] [--load-only | --answer]
 *                         [--steps N] [--json] [--source folder|cache] [--baseline] [--rounds N]
 *                         (see engine7b.ts and engine7bNodeGpu.ts)
 *
 * The engine end to end, for the tiny bundle and a ~100M-parameter synthetic bundle (12 layers × hidden 768,
 * MLP 2048, 32000 vocabulary; ViT-S-sized vision tower), both q4, converted by the real converter: on the wasm
 * EP in Node (one thread) and on WebGPU in headless Chromium through the app's worker and URL loader (SwiftShader
 * here: a CPU emulation of a GPU, so those times say nothing about a real GPU, and fewer tokens are decoded there).
 * --device node-webgpu runs the same scenario on onnxruntime-node's WebGPU EP on the machine's GPU driver (Mesa's
 * lavapipe here; Vulkan, Metal or D3D12 on a machine with a GPU: the same command measures a real GPU), with the
 * variant the adapter picks (q4f16 with shader-f16) and the GPU dispatches of one decode step counted from
 * onnxruntime's verbose log. Without --device: node-wasm and browser; --only node|browser is the older spelling.
 * Per configuration: load time cold / cached, vision ms per image, and for a prompt of ~1k and of ~2k positions
 * (one 224×672 image and text; two such images and text) TTFT, prefill and decode rates, the share of a decode
 * step spent outside session.run, and the decoder weight bytes read per second against this machine's memory
 * bandwidth measured in the same run. Prints one Markdown table. --bundles DIR keeps the bundles in DIR and reuses
 * them on the next run (so that a run in parts builds them once).
 * --baseline (browser): each bundle also runs with its external-data chunks read whole before the sessions are
 * created, as the engine did before it read them in parts, alternating with the normal run (--rounds N times each,
 * default 1), so that load and decode times of both are measured in the same run; the table then ends with the
 * medians of both and their ratio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { graphsFor, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { adapterLabel } from '../../src/core/capabilities.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { nodeGpuAvailability, nodeGpuOrt } from '../../cli/host/nodeGpu.ts';
import { createNodeEngine } from '../../cli/host/nodeHost.ts';
import { randomPng } from '../../cli/host/testing/testImages.ts';
import { nodeOrt } from '../../cli/host/ortNode.ts';
import { buildBenchBundle, decoderWeightBytes, type BenchModel } from './engine/benchBundles.ts';
import { BASELINE_HEADER, baselineLines, markdownTable, measureMemoryBandwidth, TABLE_HEADER, tableLines, type ReadsRun, type TableRow } from './engine/benchTable.ts';
import { clearBenchCache, launchBenchBrowser, openBenchPage, runInPage, startBenchSite } from './engine/chromium.ts';
import type { ContextPlan, ScenarioRequest } from './engine/scenario.ts';
import { runScenario } from './engine/scenario.ts';
import { createRunLog, timedOrt } from './engine/timedOrt.ts';
import { sameRunOrder } from './sameRun.ts';
import { countDecodeDispatches } from '../../cli/host/dispatches/countDecodeDispatches.ts';
import { parseFlags, sharedFlags } from '../../cli/flags/flags.ts';

const USAGE = `Usage: npm run bench:engine [-- --device node-wasm|browser|node-webgpu] [--skip-tiny] [--skip-100m] [--tokens N]
                        [--browser-tokens N] [--browser-contexts 1k,2k] [--wasm-tier optimized|baseline]
                        [--variant q4|q4f16] [--bundles DIR] [--keep] [--baseline] [--rounds N]
npm run bench:engine -- --llama-7b [--device browser|node-webgpu] [--bundle DIR] [--keep] [--load-only | --answer]
                        [--steps N] [--json] [--source folder|cache] [--baseline] [--rounds N]
                        (see engine7b.ts and engine7bNodeGpu.ts)`;

const flags = parseFlags(
  process.argv.slice(2),
  {
    ...sharedFlags('bundle', 'device', 'variant', 'json'),
    only: { type: 'string' },
    'skip-tiny': { type: 'boolean', default: false },
    'skip-100m': { type: 'boolean', default: false },
    tokens: { type: 'string', default: '32' },
    'browser-tokens': { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
    bundles: { type: 'string' },
    'wasm-tier': { type: 'string', default: 'optimized' },
    'browser-contexts': { type: 'string', default: '1k,2k' },
    'llama-7b': { type: 'boolean', default: false },
    'load-only': { type: 'boolean', default: false },
    answer: { type: 'boolean', default: false },
    steps: { type: 'string', default: '3' },
    source: { type: 'string', default: 'folder' },
    baseline: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
  },
  USAGE,
);

const DEVICES = ['node-wasm', 'browser', 'node-webgpu'] as const;
type Place = (typeof DEVICES)[number];
if (flags.device !== undefined && !DEVICES.includes(flags.device as Place)) throw new Error(`--device ${flags.device}: expected one of ${DEVICES.join(', ')}`);
if (flags.variant !== undefined && flags.variant !== 'q4' && flags.variant !== 'q4f16') throw new Error(`--variant ${flags.variant}: expected q4 or q4f16`);

const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${flags.rounds}: expected a whole number of at least 1`);
if (flags.source !== 'folder' && flags.source !== 'cache') throw new Error(`--source ${flags.source}: expected folder or cache`);

if (flags['llama-7b']) {
  const steps = Number(flags.steps);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps ${flags.steps}: expected a whole number of at least 1`);
  const mode = flags['load-only'] ? 'load-only' : flags.answer ? 'answer' : 'probe';
  if (flags.json && flags.device === 'node-webgpu') throw new Error('--json: only the Chromium run (without --device node-webgpu) prints a JSON record');
  if (flags.json && mode === 'probe') throw new Error('--json: measures the loaded state with --load-only or --answer, not around the decode probe');
  if (flags.device === 'node-webgpu') {
    const { runLlama7bNodeGpu } = await import('./engine7bNodeGpu.ts');
    await runLlama7bNodeGpu({ ...(flags.bundle === undefined ? {} : { bundle: flags.bundle }), keep: flags.keep, mode, steps });
  } else {
    const { runLlama7b } = await import('./engine7b.ts');
    await runLlama7b({
      ...(flags.bundle === undefined ? {} : { bundle: flags.bundle }),
      keep: flags.keep,
      mode,
      steps,
      json: flags.json,
      source: flags.source,
      baseline: flags.baseline,
      rounds,
    });
  }
  process.exit(process.exitCode ?? 0);
}
const tier = flags['wasm-tier'];
if (tier !== 'optimized' && tier !== 'baseline') throw new Error(`--wasm-tier ${tier}: expected optimized or baseline`);
if (flags.only !== undefined && flags.only !== 'node' && flags.only !== 'browser') throw new Error(`--only ${flags.only}: expected node or browser`);
const count = (text: string, flag: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 2) throw new Error(`--${flag} ${text}: expected an integer ≥ 2`);
  return value;
};
const nodeTokens = count(flags.tokens, 'tokens');
const browserTokens = count(flags['browser-tokens'], 'browser-tokens');
const models: BenchModel[] = [...(flags['skip-tiny'] ? [] : ['tiny' as const]), ...(flags['skip-100m'] ? [] : ['100m' as const])];
const places: Place[] =
  flags.device !== undefined ? [flags.device as Place] : flags.only === undefined ? ['node-wasm', 'browser'] : [flags.only === 'node' ? 'node-wasm' : 'browser'];

// ~14 tokens per phrase: 14 phrases bring one 768-row image to ~1k positions, 31 bring two to ~2k.
const PHRASE = 'the colors look a little washed out and the edges are soft, ';
const CONTEXTS: ContextPlan[] = [
  { name: '1k', task: 'description', a: 0, question: PHRASE.repeat(14).trim() },
  { name: '2k', task: 'reasoning', a: 1, b: 2, question: PHRASE.repeat(31).trim() },
];
const MAX_CONTEXT = 2304;
const browserContexts = CONTEXTS.filter((plan) => flags['browser-contexts'].split(',').includes(plan.name));
if (browserContexts.length === 0) throw new Error(`--browser-contexts ${flags['browser-contexts']}: expected some of 1k,2k`);
const note = (line: string) => process.stderr.write(`  ${line}\n`);

/** The Node GPU host's adapter; the run stops with the reason when there is none. */
async function nodeGpuCapabilities() {
  const gpu = await nodeGpuAvailability();
  if (gpu.capabilities === null) throw new Error(`--device node-webgpu: ${gpu.missing}`);
  return gpu.capabilities;
}

const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-engine-'));
const rows: TableRow[] = [];
const readsRuns: ReadsRun[] = [];
try {
  process.stderr.write('memory bandwidth…\n');
  const bandwidth = measureMemoryBandwidth();
  // 224×672 images: 16 × 48 = 768 patch rows each (no Abstractor).
  const images: ImageInput[] = [];
  for (let i = 0; i < 3; i++) images.push(await randomPng(`image-${i}.png`, 672, 224, 11 + i));

  // The GPU host runs the variant its adapter picks (q4f16 with shader-f16), unless --variant says otherwise.
  const gpu = places.includes('node-webgpu') ? await nodeGpuCapabilities() : null;
  const gpuVariant: BundleVariant = (flags.variant as BundleVariant | undefined) ?? gpu?.variant ?? 'q4';
  const variants: BundleVariant[] = [...new Set<BundleVariant>([...(places.some((place) => place !== 'node-webgpu') ? ['q4' as const] : []), ...(gpu === null ? [] : [gpuVariant])])];
  const bundles = [];
  for (const model of models) {
    process.stderr.write(`building the ${model} bundle (${variants.join(', ')})…\n`);
    const bundle = await buildBenchBundle(flags.bundles ?? scratch, model, variants);
    note(`${(bundle.parameters / 1e6).toFixed(0)}M LLaMA parameters, ${bundle.buildSeconds === 0 ? `already in ${bundle.bundleDir}` : `${bundle.buildSeconds.toFixed(0)} s`}`);
    bundles.push(bundle);
  }
  const label = (model: BenchModel) => (model === 'tiny' ? 'tiny (4M)' : '100M (134M)');
  const base: Omit<ScenarioRequest, 'source' | 'backend' | 'maxNewTokens'> = { variant: 'q4', maxContext: MAX_CONTEXT, images, contexts: CONTEXTS, loads: 2 };

  if (places.includes('node-wasm')) {
    // The wasm binary is compiled once per process, before any timed load (the optimised tier takes minutes on a
    // busy machine; --wasm-tier baseline starts at once with slower Liftoff code).
    process.stderr.write(`compiling onnxruntime's wasm (${tier} tier)…\n`);
    const compileStarted = performance.now();
    await nodeOrt({ tier });
    note(`${((performance.now() - compileStarted) / 1000).toFixed(0)} s`);
    for (const bundle of bundles) {
      process.stderr.write(`${bundle.model} on wasm in Node…\n`);
      const log = createRunLog();
      const engine = createNodeEngine({ runtime: async () => timedOrt(await nodeOrt({ tier }), log), tokenIntervalMs: 0 });
      const request = { ...base, source: { kind: 'path' as const, path: bundle.bundleDir }, backend: 'wasm' as const, maxNewTokens: nodeTokens };
      const result = await runScenario(engine, log, request, note).catch((error: Error) => ({ error: error.message.split('\n')[0]! }));
      rows.push({ model: label(bundle.model), where: `wasm (${tier} code), Node, 1 thread, ${nodeTokens} tokens`, result, decoderBytes: decoderWeightBytes(bundle.manifest, 'q4') });
    }
  }

  if (gpu !== null) {
    const adapter = gpu.adapter === null ? 'no adapter' : `${adapterLabel(gpu.adapter)}${gpu.adapter.isFallbackAdapter ? '; software' : ''}`;
    for (const bundle of bundles) {
      process.stderr.write(`${bundle.model} on WebGPU in Node (${gpuVariant})…\n`);
      const log = createRunLog();
      const engine = createNodeEngine({ runtime: async () => timedOrt(nodeGpuOrt(), log), tokenIntervalMs: 0 }, 'webgpu');
      const request = { ...base, variant: gpuVariant, source: { kind: 'path' as const, path: bundle.bundleDir }, backend: 'webgpu' as const, maxNewTokens: nodeTokens };
      const result = await runScenario(engine, log, request, note).catch((error: Error) => ({ error: error.message.split('\n')[0]! }));
      await engine.unload();
      const decoder = join(bundle.bundleDir, graphsFor(bundle.manifest, gpuVariant).get('decoder')!.path);
      const profile = await countDecodeDispatches(decoder, { timedRuns: 3 }).catch((error: Error) => {
        // The message's first line says how the child ended, its last lines why.
        const lines = error.message.split('\n').filter((line) => line.trim() !== '');
        note(`dispatch count failed: ${[lines[0], ...lines.slice(1).slice(-2)].join(' / ')}`);
        return null;
      });
      rows.push({
        model: label(bundle.model),
        where: `WebGPU (${adapter}), onnxruntime-node, ${gpuVariant}, ${nodeTokens} tokens`,
        result,
        decoderBytes: decoderWeightBytes(bundle.manifest, gpuVariant),
        ...(profile === null ? {} : { dispatches: profile.dispatches }),
      });
    }
  }

  if (places.includes('browser')) {
    const server = await startBenchSite(Object.fromEntries(bundles.map((bundle) => [bundle.model, bundle.bundleDir])));
    const context = await launchBenchBrowser(join(scratch, 'profile'));
    const plainImages = images.map((image) => ({ name: image.name, bytes: Array.from(image.bytes) }));
    try {
      // With --baseline, runs with the chunks read whole alternate with the normal ones (whole, parts, parts, whole…).
      const order = sameRunOrder<'parts' | 'whole'>(rounds, 'parts', flags.baseline ? 'whole' : undefined);
      for (const bundle of bundles) {
        for (const reads of order) {
          process.stderr.write(`${bundle.model} on WebGPU in Chromium${flags.baseline ? `, chunks read ${reads === 'whole' ? 'whole (baseline)' : 'in parts'}` : ''}…\n`);
          const run = await openBenchPage(context, server.origin);
          // A fresh cache for each run: its first load downloads, its second opens from OPFS.
          await clearBenchCache(run.page);
          const reply = await runInPage(
            run,
            { ...base, contexts: browserContexts, images: plainImages, source: { kind: 'url', url: `${server.origin}/bundles/${bundle.model}/` }, backend: 'webgpu', maxNewTokens: browserTokens, rows: 'vision', reads },
            note,
          ).catch((error: Error) => ({ type: 'failed' as const, error: { code: 'INTERNAL' as const, message: error.message.split('\n')[0]! } }));
          await run.page.close();
          const problems = run.problems.length > 0 ? `; ${run.problems.slice(0, 2).join(' | ')}` : '';
          const chunks = flags.baseline ? (reads === 'whole' ? ', chunks read whole (baseline)' : ', chunks read in parts') : '';
          const where = reply.type === 'done' ? `WebGPU (${reply.adapter ?? 'no adapter'}; software), Chromium worker, ${browserTokens} tokens${chunks}${problems}` : `WebGPU, Chromium worker${chunks}`;
          const result = reply.type === 'done' ? reply.result : { error: reply.type === 'failed' ? `${reply.error.code}: ${reply.error.message}` : 'no result' };
          rows.push({ model: label(bundle.model), where, result, decoderBytes: decoderWeightBytes(bundle.manifest, 'q4') });
          readsRuns.push({ model: label(bundle.model), reads, result });
        }
      }
    } finally {
      await context.close();
      await server.dispose();
    }
  }

  const load = loadavg().map((value) => value.toFixed(2)).join(' / ');
  console.log(
    `\nEngine, ${variants.join(' and ')} bundles (${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ` +
      `load average ${load} at the end; memory bandwidth, one thread: read ${(bandwidth.readBytesPerSecond / 1e9).toFixed(1)} GB/s, ` +
      `copy ${(bandwidth.copyBytesPerSecond / 1e9).toFixed(1)} GB/s)\n`,
  );
  console.log(markdownTable(TABLE_HEADER, tableLines(rows, bandwidth)));
  console.log(
    '\nCold load: the first load in the process (Node, files in the OS cache, wasm already compiled) or in a fresh profile (browser: ' +
      'downloaded over HTTP from localhost into the OPFS cache and verified); cached: the second load (browser: from OPFS). TTFT counts ' +
      'from the request (images already encoded). Decode steps feed one token; "outside session.run" is the step time not spent in ' +
      'the decoder\'s or embed_tokens\' run (in parentheses: embed_tokens\' share). Weights read = decoder graph bytes × decode tok/s.',
  );
  if (flags.baseline) {
    console.log('\nChunks read whole before the sessions are created (the baseline) against read in parts while they are created, in this run (Chromium):\n');
    console.log(markdownTable(BASELINE_HEADER, baselineLines(readsRuns)));
  }
} finally {
  if (flags.keep) process.stderr.write(`kept ${scratch}\n`);
  else await rm(scratch, { recursive: true, force: true });
}
