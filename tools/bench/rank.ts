/**
 * npm run bench:rank [-- --bundles DIR] [--sizes 8,16,32] [--skip-tiny] [--skip-100m] [--image PX|WxH]
 *                      [--all-pairs-up-to N] [--scratch-samples K] [--wasm-tier optimized|baseline]
 *
 * What ranking N candidates against one reference costs the engine, on the wasm EP in Node (one thread), for the
 * tiny bundle and the ~100M-parameter synthetic bundle of `bench:engine` (q4, with their vision graphs; --bundles DIR
 * keeps them and reuses them). Per N, three plans:
 * - all pairs from scratch: DepictQA's protocol with every comparison prefilled whole, N(N − 1) comparisons (counted
 *   from the prompt's length; its time per comparison measured on K comparisons run with `reuse: false`);
 * - all pairs through `engine.rank`, each comparison reusing what the KV cache holds: the shared prefix, and Image A
 *   when the one before had the same A (measured up to N of --all-pairs-up-to, default 16; beyond that counted as
 *   the from-scratch tokens less the shared prefix, and A's part once per group of N − 1 comparisons);
 * - the active ranking (⌈N·log2 N⌉ pairs at most, an early stop), measured.
 * Images are random PNGs of PX × PX, or W × H (default 224: 16 × 16 = 256 rows each, DepictQA's usual size;
 * 224x168 gives 192 rows). Prints a Markdown table: pairs, comparisons, decoder runs, prefill tokens (all, per
 * comparison and per comparison after the shared prefix, and their share of all pairs from scratch), and
 * milliseconds per comparison.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RankEvent, RankResult } from '../../src/core/engine/rank.ts';
import type { ImageInput } from '../../src/core/engine/images.ts';
import { createNodeEngine } from '../../cli/host/nodeHost.ts';
import { randomPng } from '../../cli/host/testing/testImages.ts';
import { nodeOrt } from '../../cli/host/ortNode.ts';
import { buildBenchBundle, type BenchModel } from './engine/benchBundles.ts';
import { markdownTable } from './engine/benchTable.ts';
import { parseFlags } from '../../cli/flags/flags.ts';

const USAGE = `Usage: npm run bench:rank [-- --bundles DIR] [--sizes 8,16,32] [--skip-tiny] [--skip-100m] [--image PX|WxH]
                     [--all-pairs-up-to N] [--scratch-samples K] [--wasm-tier optimized|baseline]`;

const flags = parseFlags(
  process.argv.slice(2),
  {
    bundles: { type: 'string' },
    sizes: { type: 'string', default: '8,16,32' },
    'skip-tiny': { type: 'boolean', default: false },
    'skip-100m': { type: 'boolean', default: false },
    image: { type: 'string', default: '224' },
    'all-pairs-up-to': { type: 'string', default: '16' },
    'scratch-samples': { type: 'string', default: '3' },
    'wasm-tier': { type: 'string', default: 'optimized' },
  },
  USAGE,
);

const whole = (text: string, flag: string, min: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} ${text}: expected an integer ≥ ${min}`);
  return value;
};
const sizes = flags.sizes.split(',').map((text) => whole(text, 'sizes', 2));
const [imageWidth, imageHeight] = ((parts) => [whole(parts[0]!, 'image', 14), whole(parts[1] ?? parts[0]!, 'image', 14)])(flags.image.split('x'));
const allPairsUpTo = whole(flags['all-pairs-up-to'], 'all-pairs-up-to', 0);
const scratchSamples = whole(flags['scratch-samples'], 'scratch-samples', 1);
const tier = flags['wasm-tier'];
if (tier !== 'optimized' && tier !== 'baseline') throw new Error(`--wasm-tier ${tier}: expected optimized or baseline`);
const models: BenchModel[] = [...(flags['skip-tiny'] ? [] : ['tiny' as const]), ...(flags['skip-100m'] ? [] : ['100m' as const])];
const note = (line: string) => process.stderr.write(`  ${line}\n`);

const HEADER = ['model', 'N', 'plan', 'pairs', 'comparisons', 'model runs', 'prefill tokens', 'per comparison', 'after the shared prefix', 'of all pairs from scratch', 'ms / comparison'];
const lines: string[][] = [];
const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-rank-'));
try {
  process.stderr.write(`compiling onnxruntime's wasm (${tier} tier)…\n`);
  await nodeOrt({ tier });
  const largest = Math.max(...sizes);
  const reference = await randomPng('reference.png', imageWidth, imageHeight, 1);
  const candidates: ImageInput[] = [];
  for (let i = 0; i < largest; i++) candidates.push(await randomPng(`candidate-${i}.png`, imageWidth, imageHeight, 100 + i));

  for (const model of models) {
    process.stderr.write(`the ${model} bundle…\n`);
    const bundle = await buildBenchBundle(flags.bundles ?? scratch, model, ['q4']);
    const engine = createNodeEngine({ runtime: () => nodeOrt({ tier }) }, 'cpu');
    const info = await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant: 'q4', maxContext: 2048 });
    note(`${(bundle.parameters / 1e6).toFixed(0)}M LLaMA parameters, prefill chunk ${info.prefillChunk}`);
    const label = model === 'tiny' ? 'tiny (4M)' : '100M (134M)';
    try {
      // Every image encoded once, before anything is timed.
      for (const image of [reference, ...candidates]) await engine.encodeImage(image);
      for (const n of sizes) {
        const given = candidates.slice(0, n);
        process.stderr.write(`N = ${n}: active ranking…\n`);
        const activeOrders: Array<Extract<RankEvent, { type: 'comparison' }>> = [];
        const active = await engine.rank({ reference, candidates: given }, (event) => {
          if (event.type === 'comparison') activeOrders.push(event);
          progress(event);
        });
        const positions = (active.stats.prefillTokens + active.stats.prefillTokensSaved) / active.stats.comparisons;
        const shared = active.stats.sharedPrefix;
        // What a comparison prefills after one with the same Image A: Image B's rows and the text around them.
        const sameA = activeOrders.find((event, k) => k > 0 && event.first === activeOrders[k - 1]!.first)?.work.prefillTokens ?? positions - shared;
        // All pairs from scratch: N(N − 1) comparisons, each prefilled whole.
        const comparisons = n * (n - 1);
        const scratchTokens = comparisons * positions;
        const scratchRuns = comparisons * Math.ceil(positions / info.prefillChunk);
        let scratchMs = 0;
        for (let k = 0; k < scratchSamples; k++) {
          const result = await engine.compare({ reference, a: given[k % n]!, b: given[(k + 1) % n]!, reuse: false });
          scratchMs += result.work.elapsedMs;
        }
        const share = (tokens: number) => `${((100 * tokens) / scratchTokens).toFixed(1)}%`;
        const perOrder = (tokens: number, orders: number) => [(tokens / orders).toFixed(1), ((tokens - shared) / orders).toFixed(1)];
        lines.push([label, String(n), 'all pairs, from scratch', String(comparisons / 2), String(comparisons), String(scratchRuns), String(scratchTokens), ...perOrder(scratchTokens, comparisons), '100%', (scratchMs / scratchSamples).toFixed(1)]);
        if (n <= allPairsUpTo) {
          process.stderr.write(`N = ${n}: all pairs…\n`);
          const all = await engine.rank({ reference, candidates: given, mode: 'allPairs' }, progress);
          lines.push(planLine(label, n, 'all pairs, KV cache reused', all, share, shared));
        } else {
          // N groups of N − 1 comparisons sharing Image A: each comparison but the first reuses the shared prefix, and
          // all but a group's first reuse A's part too (as measured in the active ranking's comparisons).
          const afterA = sameA;
          const tokens = positions + (n - 1) * (positions - shared) + n * (n - 2) * afterA;
          const runs = Math.ceil(positions / info.prefillChunk) + (n - 1) * Math.ceil((positions - shared) / info.prefillChunk) + n * (n - 2) * Math.ceil(afterA / info.prefillChunk);
          lines.push([label, String(n), 'all pairs, KV cache reused (counted)', String(comparisons / 2), String(comparisons), String(runs), String(tokens), ...perOrder(tokens, comparisons), share(tokens), '–']);
        }
        lines.push(planLine(label, n, 'active', active, share, shared));
        note(`${positions} positions per comparison, ${shared} shared; active: ${active.stats.pairs} pairs, ${active.settled ? 'settled' : 'not settled'}`);
      }
    } finally {
      await engine.unload();
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`\nRanking on the wasm EP in Node (one thread, ${tier} tier), ${cpu}; q4 bundles; ${imageWidth}×${imageHeight} images, with a reference.\n\n`);
  process.stdout.write(`${markdownTable(HEADER, lines)}\n`);
} finally {
  if (flags.bundles === undefined) await rm(scratch, { recursive: true, force: true });
}

/** A line every 8 pairs (after the second order of the pair), so that a long run shows it is alive. */
function progress(event: RankEvent): void {
  if (event.type === 'comparison' && event.pairs % 8 === 0 && event.first > event.second) note(`${event.pairs} pairs compared`);
}

function planLine(label: string, n: number, plan: string, result: RankResult, share: (tokens: number) => string, shared: number): string[] {
  const { stats } = result;
  const orders = stats.comparisons;
  return [
    label,
    String(n),
    plan,
    String(stats.pairs),
    String(stats.comparisons),
    String(stats.modelRuns),
    String(stats.prefillTokens),
    (stats.prefillTokens / orders).toFixed(1),
    ((stats.prefillTokens - shared) / orders).toFixed(1),
    share(stats.prefillTokens),
    (stats.comparisonMs / stats.comparisons).toFixed(1),
  ];
}
