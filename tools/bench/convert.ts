/**
 * npm run bench:convert [-- --checkpoint DIR] [--precision q4f16,q4] [--keep]
 *
 * Converts the 7B-shaped checkpoint (real Vicuna-7B and ViT-L shapes, random values) and prints wall time,
 * throughput, peak RSS and the output size per variant. Without --checkpoint it first makes one with the tiny
 * factory (about 15 GB in a temporary folder, removed afterwards).
 */
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../../src/core/format.ts';
import { convertBundle } from '../../converter/convertBundle.ts';
import type { LlamaVariant } from '../../converter/llama/variants.ts';
import { createProgress } from '../../converter/progress.ts';
import { makeTinyCheckpoint } from '../tiny/makeTinyCheckpoint.ts';
import { parseFlags } from '../../cli/flags/flags.ts';

const USAGE = `Usage: npm run bench:convert [-- --checkpoint DIR] [--precision q4f16,q4] [--keep]`;

const values = parseFlags(
  process.argv.slice(2),
  {
    checkpoint: { type: 'string' },
    precision: { type: 'string', default: 'q4f16,q4' },
    keep: { type: 'boolean', default: false },
  },
  USAGE,
);

const scratch = mkdtempSync(join(tmpdir(), 'depictqa-bench-convert-'));
const free = Number(statfsSync(scratch).bavail) * Number(statfsSync(scratch).bsize);
console.log(`scratch ${scratch}, ${formatBytes(free)} free`);

let checkpointDir = values.checkpoint;
if (checkpointDir === undefined) {
  checkpointDir = join(scratch, 'checkpoint');
  console.log('making the 7B-shaped checkpoint (about 15 GB)…');
  const made = await makeTinyCheckpoint({ out: checkpointDir, shape: 'llama-7b', seed: 1 });
  console.log(`  ${formatBytes(made.weightBytes)} in ${(made.elapsedMs / 1000).toFixed(1)} s`);
}

let peakSampledRss = 0;
const sampler = setInterval(() => (peakSampledRss = Math.max(peakSampledRss, process.memoryUsage().rss)), 250);
const variants = values.precision.split(',') as LlamaVariant[];
const out = join(scratch, 'bundle');
const started = performance.now();
const { plan, manifest } = await convertBundle({
  llm: join(checkpointDir, 'llm'),
  delta: join(checkpointDir, 'delta', 'ckpt.pt'),
  out,
  variants,
  progress: createProgress(),
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const maxRssBytes = process.resourceUsage().maxRSS * 1024;

const llmInput = manifest!.llm;
const parameters =
  2 * llmInput.vocabSize * llmInput.hiddenSize +
  llmInput.numLayers * (4 * llmInput.hiddenSize * llmInput.hiddenSize + 3 * llmInput.hiddenSize * llmInput.intermediateSize);
const fp16InputBytes = parameters * 2;

const rows: [string, string][] = [
  ['variants', variants.join(', ')],
  ['LLM parameters (matrices)', `${(parameters / 1e9).toFixed(2)} B`],
  ['wall time', `${seconds.toFixed(1)} s`],
  ['input read (fp16 weights)', formatBytes(fp16InputBytes)],
  ['throughput (input)', `${(fp16InputBytes / 1e6 / seconds).toFixed(0)} MB/s`],
  ['peak RSS (getrusage)', formatBytes(maxRssBytes)],
  ['peak RSS (sampled)', formatBytes(peakSampledRss)],
];
for (const variant of variants) {
  const bytes = manifest!.files
    .filter((file) => file.path.includes(`_${variant}.onnx`))
    .reduce((sum, file) => sum + file.bytes, 0);
  rows.push([`output ${variant}`, `${formatBytes(bytes)} (estimated ${formatBytes(plan.variantBytes[variant] ?? 0)})`]);
}
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\n| ${'measure'.padEnd(width)} | value |\n|${'-'.repeat(width + 2)}|-------|`);
for (const [label, value] of rows) console.log(`| ${label.padEnd(width)} | ${value} |`);

if (!values.keep) rmSync(scratch, { recursive: true, force: true });
else console.log(`kept ${scratch}`);
