import { badArguments, parseFlags, required, sharedFlags, sharedUsage, usageLine, wholeNumber } from '../flags/flags.ts';
import { SHARD_RUN_FLAGS, shardRunArgs, type ShardRunArgs } from '../eval/evalArgs.ts';
import type { MethodInput } from './matchMethods.ts';

export const COMPARE_USAGE = [
  'Usage:',
  '  npm run compare -- --bundle DIR [--ref DIR] --method NAME=DIR --method NAME=DIR … --out OUT [options]',
  '  npm run compare -- --bundle DIR --csv FILE --out OUT [options]',
  '  npm run compare -- merge --out OUT [--json] [--explain N --bundle DIR]',
  '',
  "Compares 2 to 16 methods on a test set: each test image's outputs pairwise (DepictQA's brief comparison, both",
  'orders), then one score per method with a bootstrap interval over the images, a win-rate matrix, and the',
  "metrics (PSNR, SSIM, MS-SSIM, GMSD) beside the model's verdicts.",
  '',
  sharedUsage('bundle'),
  usageLine('ref', 'DIR', 'the reference images (without it: no-reference comparisons, and no metrics)'),
  usageLine('method', 'NAME=DIR', "one method's outputs; files are matched to the references by name without extension"),
  usageLine('csv', 'FILE', 'instead of folders: "id,method,path[,reference]" (paths relative to the file)'),
  sharedUsage('out', 'where the shards append their journals and the merge writes summary.json, report.md,\ntable.tex, images.csv, win-rates.svg and scores.svg').replace('--out DIR', '--out OUT'),
  sharedUsage('shard', 'compare shard I (0-based) of N; the ids are dealt round-robin. Without it: all of them,\nmerged at the end'),
  sharedUsage('all-pairs', 'compare every pair of methods on each image instead of ⌈K·log2 K⌉ chosen pairs'),
  sharedUsage('device'),
  sharedUsage('variant'),
  sharedUsage('context'),
  sharedUsage('no-kv-reuse'),
  sharedUsage('comparator', 'no model: prefers the output with the higher PSNR (needs --ref), to try a setup quickly'),
  sharedUsage('fake-delay-ms'),
  usageLine('explain', 'N', "write DepictQA's Reasoning answers for the N strongest disagreements into the report\n(the preferred output as Image A); after a sharded run, give it to merge with --bundle"),
  usageLine('confident', 'P', 'a verdict is confident, and a metric against it a disagreement, from P on (default 0.75)'),
  usageLine('seed', 'N', "the bootstrap's seed (default 1)"),
  usageLine('resamples', 'N', 'bootstrap resamples (default 1000)'),
  sharedUsage('json', 'print the summary record instead of the report'),
  '',
  'A killed shard resumes where it stopped when run again with the same arguments. Exit status: 0 done, 75 the',
  'shard or the merge is held by another process, 1 another error.',
].join('\n');

export interface StatsArgs {
  seed: number;
  resamples: number;
  confident: number;
  /** How many disagreements get a Reasoning answer (0: none). */
  explain: number;
  json: boolean;
}

export type CompareArgs =
  /** `model` is there only where --explain needs it. */
  | ({ command: 'merge'; out: string; model: ShardRunArgs | null } & StatsArgs)
  | ({ command: 'run'; input: MethodInput } & ShardRunArgs & StatsArgs);

export function parseCompareArgs(argv: string[]): CompareArgs {
  const merge = argv[0] === 'merge';
  const values = parseFlags(
    merge ? argv.slice(1) : argv,
    {
      ...SHARD_RUN_FLAGS,
      ...sharedFlags('json'),
      ref: { type: 'string' },
      method: { type: 'string', multiple: true },
      csv: { type: 'string' },
      seed: { type: 'string', default: '1' },
      resamples: { type: 'string', default: '1000' },
      explain: { type: 'string', default: '0' },
      confident: { type: 'string', default: '0.75' },
    },
    COMPARE_USAGE,
  );
  const bad = (message: string) => badArguments(message, COMPARE_USAGE);
  const out = required(values.out, 'out', 'OUT', COMPARE_USAGE);
  const confident = Number(values.confident);
  if (!(confident >= 0.5 && confident < 1)) throw bad(`--confident must be a probability in [0.5, 1), not "${values.confident}"`);
  const stats = {
    seed: wholeNumber(values.seed, 'seed', 0, COMPARE_USAGE),
    resamples: wholeNumber(values.resamples, 'resamples', 1, COMPARE_USAGE),
    confident,
    explain: wholeNumber(values.explain, 'explain', 0, COMPARE_USAGE),
    json: values.json,
  };
  if (merge) {
    if (values.method !== undefined || values.ref !== undefined || values.csv !== undefined) throw bad('merge reads the inputs from OUT: give it without --method, --ref and --csv');
    if (stats.explain > 0 && values.comparator === 'engine' && values.bundle === undefined) throw bad('merge --explain asks the model for its reasons: give --bundle DIR');
    const model = stats.explain > 0 ? shardRunArgs({ ...values, out }, COMPARE_USAGE) : null;
    return { command: 'merge', out, model, ...stats };
  }

  let input: MethodInput;
  if (values.csv !== undefined) {
    if (values.method !== undefined || values.ref !== undefined) throw bad('--csv lists the outputs itself: give it without --method and --ref');
    input = { kind: 'csv', path: values.csv };
  } else {
    const methods = (values.method ?? []).map((spec) => {
      const at = spec.indexOf('=');
      if (at <= 0 || at === spec.length - 1) throw bad(`--method ${spec}: expected NAME=DIR`);
      return { name: spec.slice(0, at), dir: spec.slice(at + 1) };
    });
    if (methods.length === 0) throw bad('give the methods as --method NAME=DIR (two or more), or --csv FILE');
    input = { kind: 'folders', reference: values.ref ?? null, methods };
  }
  return { command: 'run', input, ...shardRunArgs({ ...values, out }, COMPARE_USAGE), ...stats };
}

