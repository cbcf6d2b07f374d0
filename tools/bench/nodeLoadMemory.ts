/**
 * npm run bench:load-memory -- --bundle DIR [--variant q4|q4f16|fp32] [--rounds N]
 *
 * What a model load costs the Node process's memory, with the weight chunks read in place (onnxruntime-node
 * opens each graph from its .onnx path and reads the chunks itself) against read whole into JS memory first (the
 * baseline: the folder bundle without `localPath`). Each load runs in a fresh child process, because peak RSS is
 * the kernel's high-water mark of the process (getrusage's ru_maxrss), exact and never reset; the two alternate
 * (whole, in place, in place, whole, …) N rounds of each (default 2). The whole engine loads, as `npm run ask`
 * loads it with `--device webgpu`: onnxruntime-node, the graphs on its WebGPU EP and embed_tokens on its CPU EP.
 * (The `cpu` device is onnxruntime-web's wasm, which reads chunks in parts instead: see slicedExternalData.test.ts.)
 * On a software adapter (lavapipe) GPU buffers are process memory too, so they count in both alike. Prints each
 * run and the medians as a Markdown table. The variant is the adapter's choice unless --variant names one.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../../src/core/format.ts';
import { VARIANTS, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { createNodeEngine, nodeEngineHost } from '../../cli/host/nodeHost.ts';
import { markdownTable } from './engine/benchTable.ts';
import { median } from '../../cli/host/dispatches/decodeStepFeeds.ts';
import { sameRunOrder } from './sameRun.ts';
import { parseFlags, sharedFlags } from '../../cli/flags/flags.ts';

const USAGE = `Usage: npm run bench:load-memory -- --bundle DIR [--variant q4|q4f16|fp32] [--rounds N]`;

type Reads = 'whole' | 'in-place';

interface LoadRun {
  reads: Reads;
  variant: string;
  backend: string;
  loadMs: number;
  /** getrusage's ru_maxrss of the child process, in bytes. */
  peakRssBytes: number;
  /** RSS once the engine had started, before the load. */
  rssBeforeBytes: number;
  /** RSS after the load, with the model in memory. */
  rssAfterBytes: number;
}

const flags = parseFlags(
  process.argv.slice(2),
  {
    ...sharedFlags('bundle', 'variant'),
    rounds: { type: 'string', default: '2' },
    child: { type: 'string' },
  },
  USAGE,
);
if (flags.bundle === undefined) throw new Error('--bundle DIR: the bundle folder to load');
if (flags.variant !== undefined && !VARIANTS.includes(flags.variant as BundleVariant)) throw new Error(`--variant ${flags.variant}: expected ${VARIANTS.join(', ')}`);
const rounds = Number(flags.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${flags.rounds}: expected a whole number of at least 1`);

if (flags.child !== undefined) {
  console.log(JSON.stringify(await loadOnce(flags.bundle, flags.child as Reads)));
  process.exit(0);
}

const runs: LoadRun[] = [];
for (const [index, reads] of sameRunOrder<Reads>(rounds, 'in-place', 'whole').entries()) {
  process.stderr.write(`round ${Math.floor(index / 2) + 1}: chunks read ${reads === 'whole' ? 'whole (baseline)' : 'in place'}…\n`);
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--bundle', flags.bundle, '--child', reads];
  if (flags.variant !== undefined) args.push('--variant', flags.variant);
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  runs.push(JSON.parse(output.trim().split('\n').at(-1)!) as LoadRun);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const lines = runs.map((run, i) => [String(i + 1), run.reads, `${run.variant} on ${run.backend}`, formatBytes(run.peakRssBytes), formatBytes(run.rssBeforeBytes), formatBytes(run.rssAfterBytes), seconds(run.loadMs)]);
for (const reads of ['whole', 'in-place'] as const) {
  const mine = runs.filter((run) => run.reads === reads);
  const peak = (run: LoadRun) => run.peakRssBytes;
  lines.push(['median', reads, '', formatBytes(median(mine.map(peak))), formatBytes(median(mine.map((run) => run.rssBeforeBytes))), formatBytes(median(mine.map((run) => run.rssAfterBytes))), seconds(median(mine.map((run) => run.loadMs)))]);
}
const load = loadavg().map((value) => value.toFixed(2)).join(' / ');
console.log(`\nLoading ${flags.bundle} on onnxruntime-node's WebGPU EP (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load} at the end)\n`);
console.log(markdownTable(['run', 'chunks read', 'model', 'peak RSS', 'RSS before load', 'RSS after load', 'load'], lines));

/** One load in this process, the chunks read as `reads` says. */
async function loadOnce(bundle: string, reads: Reads): Promise<LoadRun> {
  if (reads !== 'whole' && reads !== 'in-place') throw new Error(`--child ${reads}: expected whole or in-place`);
  const host = nodeEngineHost({}, 'webgpu');
  const engine = createNodeEngine(
    {
      openBundle: async (source, context) => {
        const files = await host.openBundle(source, context);
        if (reads === 'whole') delete files.localPath;
        return files;
      },
    },
    'webgpu',
  );
  const rssBeforeBytes = process.memoryUsage.rss();
  const info = await engine.load({ kind: 'path', path: bundle }, undefined, { ...(flags.variant === undefined ? {} : { variant: flags.variant as BundleVariant }), maxContext: 256 });
  const rssAfterBytes = process.memoryUsage.rss();
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  await engine.unload();
  return { reads, variant: info.variant, backend: info.backend, loadMs: info.loadMs, peakRssBytes, rssBeforeBytes, rssAfterBytes };
}
