/**
 * Exit 0 when two summary.json files (of `eval` or of `compare`) agree in every number but the timing and the
 * shard count, else print the first difference and exit 1: tsx cli/eval/slurm/sameSummary.ts A B
 */
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((path) => JSON.parse(readFileSync(path!, 'utf8')) as Record<string, unknown>);
if (a === undefined || b === undefined) throw new Error('usage: sameSummary.ts A B');
// How the work was split and how long it took may differ; every number must not.
for (const summary of [a, b]) {
  delete summary.elapsedMs;
  delete summary.shards;
  if (typeof summary.stats === 'object' && summary.stats !== null) delete (summary.stats as Record<string, unknown>).elapsedMs;
}
const left = JSON.stringify(a, null, 1).split('\n');
const right = JSON.stringify(b, null, 1).split('\n');
const at = left.findIndex((line, k) => line !== right[k]);
if (at >= 0 || left.length !== right.length) {
  process.stderr.write(`summaries differ at line ${at + 1}: ${left[at]} vs ${right[at]}\n`);
  process.exit(1);
}
const methods = a.methods as Array<{ name: string }> | undefined;
process.stdout.write(
  methods !== undefined
    ? `same summary: methods ${methods.map((m) => m.name).join(' > ')}, ${String((a.stats as { comparisons: number }).comparisons)} comparisons\n`
    : `same summary: srcc ${String(a.srcc)}, plcc ${String(a.plcc)}, ${String(a.comparisons)} comparisons, ${String(a.duplicates)} duplicates\n`,
);
