/**
 * npm run bench:compare [-- --methods 4,8] [--ids 10] [--image WxH] [--model tiny|100m] [--bundles DIR]
 *
 * What `npm run compare` costs on a generated test set (K methods' outputs of known quality per id, a reference
 * each), on the wasm EP in Node, with the real engine and a q4 bundle with its vision graph. Per K, three plans:
 * - all pairs from scratch (`--all-pairs --no-kv-reuse`): DepictQA's protocol, every comparison prefilled whole;
 * - all pairs, the KV cache reused (`--all-pairs`): the shared prefix and Image A kept between comparisons;
 * - active (the default): ⌈K·log2 K⌉ pairs at most per id, the KV cache reused.
 * Prints a Markdown table: pairs, comparisons, model runs (vision runs among them), prefill tokens (all and per
 * comparison), milliseconds per comparison, and the time and tokens of each plan as a share of all pairs from
 * scratch (one run, so times are ratios on this machine, not a speed claim).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from '../../src/core/seededRandom.ts';
import { parseCompareArgs } from '../../cli/compare/compareArgs.ts';
import { runCompare } from '../../cli/compare/compareCli.ts';
import type { CompareSummary } from '../../cli/compare/compareReport.ts';
import { nodeOrt } from '../../cli/host/ortNode.ts';
import { buildBenchBundle, type BenchModel } from './engine/benchBundles.ts';
import { markdownTable } from './engine/benchTable.ts';
import { parseFlags } from '../../cli/flags/flags.ts';

const USAGE = `Usage: npm run bench:compare [-- --methods 4,8] [--ids 10] [--image WxH] [--model tiny|100m] [--bundles DIR]`;

const flags = parseFlags(
  process.argv.slice(2),
  {
    methods: { type: 'string', default: '4,8' },
    ids: { type: 'string', default: '10' },
    image: { type: 'string', default: '224x168' },
    model: { type: 'string', default: 'tiny' },
    bundles: { type: 'string' },
  },
  USAGE,
);
const whole = (text: string, flag: string, min: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} ${text}: expected an integer ≥ ${min}`);
  return value;
};
const sizes = flags.methods.split(',').map((text) => whole(text, 'methods', 2));
const ids = whole(flags.ids, 'ids', 1);
const [width, height] = ((parts) => [whole(parts[0]!, 'image', 14), whole(parts[1] ?? parts[0]!, 'image', 14)])(flags.image.split('x'));
if (flags.model !== 'tiny' && flags.model !== '100m') throw new Error(`--model ${flags.model}: expected tiny or 100m`);
const model = flags.model as BenchModel;

const PLANS = [
  { name: 'all pairs, from scratch', flags: ['--all-pairs', '--no-kv-reuse'] },
  { name: 'all pairs, KV cache reused', flags: ['--all-pairs'] },
  { name: 'active, KV cache reused', flags: [] },
] as const;
const HEADER = ['K', 'plan', 'pairs', 'comparisons', 'model runs', 'vision runs', 'prefill tokens', 'per comparison', 'ms / comparison', 'tokens vs scratch', 'time vs scratch', 'top method'];

const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-compare-'));
const quiet = { out: () => {}, err: () => {} };
const lines: string[][] = [];
try {
  process.stderr.write(`the ${model} bundle…\n`);
  const bundle = await buildBenchBundle(flags.bundles ?? scratch, model, ['q4']);
  await nodeOrt();
  const set = await writeMethodSet(join(scratch, 'set'), Math.max(...sizes), ids);
  for (const k of sizes) {
    const methods = set.methods.slice(0, k).flatMap((m) => ['--method', `${m}=${join(set.dir, m)}`]);
    let baseline: CompareSummary | null = null;
    for (const [p, plan] of PLANS.entries()) {
      process.stderr.write(`K = ${k}: ${plan.name}…\n`);
      const out = join(scratch, `k${k}-plan${p}`);
      const argv = ['--bundle', bundle.bundleDir, '--device', 'cpu', '--variant', 'q4', '--context', '2048', '--ref', join(set.dir, 'ref'), ...methods, '--out', out, '--resamples', '200', ...plan.flags];
      await runCompare(parseCompareArgs(argv), quiet);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as CompareSummary;
      baseline ??= summary;
      const { stats } = summary;
      const share = (value: number, of: number) => `${((100 * value) / of).toFixed(1)}%`;
      lines.push([
        String(k),
        plan.name,
        String(stats.pairs),
        String(stats.comparisons),
        String(stats.modelRuns),
        String(stats.visionRuns),
        String(stats.prefillTokens),
        (stats.prefillTokens / stats.comparisons).toFixed(1),
        (stats.elapsedMs / stats.comparisons).toFixed(1),
        share(stats.prefillTokens, baseline.stats.prefillTokens),
        share(stats.elapsedMs, baseline.stats.elapsedMs),
        summary.methods[0]!.name,
      ]);
    }
  }
  process.stdout.write(`\nnpm run compare on the wasm EP in Node, ${cpus()[0]?.model ?? 'unknown CPU'}; the ${model} q4 bundle; ${ids} ids, ${width}×${height} images with a reference; one run.\n\n`);
  process.stdout.write(`${markdownTable(HEADER, lines)}\n`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

/** References and K methods' outputs per id: method m adds noise of amplitude 3 + 4m, so quality falls with m. */
async function writeMethodSet(dir: string, k: number, count: number): Promise<{ dir: string; methods: string[] }> {
  const methods = Array.from({ length: k }, (_, m) => `m${m}`);
  for (const folder of ['ref', ...methods]) await mkdir(join(dir, folder), { recursive: true });
  const png = async (path: string, pixels: Uint8Array) => writeFile(path, await sharp(Buffer.from(pixels), { raw: { width, height, channels: 3 } }).png().toBuffer());
  for (let id = 0; id < count; id++) {
    const random = mulberry32(1000 + id);
    // A smooth image (so that noise is a visible distortion), then each method's noisy copy.
    const [fx, fy] = [2 + 3 * random(), 2 + 3 * random()];
    const reference = Uint8Array.from({ length: width * height * 3 }, (_, i) => {
      const [x, y, c] = [Math.floor(i / 3) % width, Math.floor(i / 3 / width), i % 3];
      return Math.round(128 + 90 * Math.sin((fx * x) / width + c) * Math.cos((fy * y) / height));
    });
    await png(join(dir, 'ref', `${id}.png`), reference);
    for (const [m, method] of methods.entries()) {
      const noise = 3 + 4 * m;
      await png(join(dir, method, `${id}.png`), reference.map((v) => Math.max(0, Math.min(255, v + Math.round(noise * (2 * random() - 1))))));
    }
  }
  return { dir, methods };
}
