import { AppError } from '../../src/core/errors.ts';
import { parseFlags } from '../flags/parseFlags.ts';
import { shardRunArgs, type ShardRunArgs } from '../eval/evalArgs.ts';
import type { MethodInput } from './matchMethods.ts';

export const COMPARE_USAGE = `Usage:
  npm run compare -- --bundle DIR [--ref DIR] --method NAME=DIR --method NAME=DIR … --out OUT [options]
  npm run compare -- --bundle DIR --csv FILE --out OUT [options]
  npm run compare -- merge --out OUT [--json] [--explain N --bundle DIR]

Compares 2 to 16 methods on a test set: each test image's outputs pairwise (DepictQA's brief comparison, both
orders), then one score per method with a bootstrap interval over the images, a win-rate matrix, and the
metrics (PSNR, SSIM, MS-SSIM, GMSD) beside the model's verdicts.

  --ref DIR               the reference images (without it: no-reference comparisons, and no metrics)
  --method NAME=DIR       one method's outputs; files are matched to the references by name without extension
  --csv FILE              instead of folders: "id,method,path[,reference]" (paths relative to the file)
  --out OUT               where the shards append their journals and the merge writes summary.json, report.md,
                          table.tex, images.csv, win-rates.svg and scores.svg
  --shard I/N             compare shard I (0-based) of N; the ids are dealt round-robin. Without it: all of them,
                          merged at the end
  --all-pairs             compare every pair of methods on each image instead of ⌈K·log2 K⌉ chosen pairs
  --device D              webgpu | cpu (default: webgpu when a GPU adapter is found, else cpu)
  --variant V             q4f16 | q4 | fp32
  --context N             KV cache positions
  --no-kv-reuse           prefill every comparison whole (the same numbers, slower)
  --comparator fake       no model: prefers the output with the higher PSNR (needs --ref), to try a setup quickly
  --fake-delay-ms MS      with --comparator fake: wait this long per comparison
  --explain N             write DepictQA's Reasoning answers for the N strongest disagreements into the report
                          (the preferred output as Image A); after a sharded run, give it to merge with --bundle
  --confident P           a verdict is confident, and a metric against it a disagreement, from P on (default 0.75)
  --seed N                the bootstrap's seed (default 1)
  --resamples N           bootstrap resamples (default 1000)
  --json                  print the summary record instead of the report

A killed shard resumes where it stopped when run again with the same arguments. Exit status: 0 done, 75 the
shard or the merge is held by another process, 1 another error.`;

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
      bundle: { type: 'string' },
      ref: { type: 'string' },
      method: { type: 'string', multiple: true },
      csv: { type: 'string' },
      out: { type: 'string' },
      shard: { type: 'string' },
      'all-pairs': { type: 'boolean', default: false },
      device: { type: 'string' },
      variant: { type: 'string' },
      context: { type: 'string' },
      'no-kv-reuse': { type: 'boolean', default: false },
      comparator: { type: 'string', default: 'engine' },
      'fake-delay-ms': { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      resamples: { type: 'string', default: '1000' },
      explain: { type: 'string', default: '0' },
      confident: { type: 'string', default: '0.75' },
      json: { type: 'boolean', default: false },
    },
    COMPARE_USAGE,
  );
  const bad = (message: string) => new AppError('BAD_ARGUMENTS', message, { hint: COMPARE_USAGE });
  const whole = (text: string, flag: string, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw bad(`${flag} must be a whole number ≥ ${min}, not "${text}"`);
    return value;
  };
  if (values.out === undefined) throw bad('--out is required');
  const confident = Number(values.confident);
  if (!(confident >= 0.5 && confident < 1)) throw bad(`--confident must be a probability in [0.5, 1), not "${values.confident}"`);
  const stats = {
    seed: whole(values.seed, '--seed', 0),
    resamples: whole(values.resamples, '--resamples', 1),
    confident,
    explain: whole(values.explain, '--explain', 0),
    json: values.json,
  };
  if (merge) {
    if (values.method !== undefined || values.ref !== undefined || values.csv !== undefined) throw bad('merge reads the inputs from OUT: give it without --method, --ref and --csv');
    if (stats.explain > 0 && values.comparator === 'engine' && values.bundle === undefined) throw bad('merge --explain asks the model for its reasons: give --bundle DIR');
    const model = stats.explain > 0 ? shardRunArgs({ ...values, out: values.out }, bad) : null;
    return { command: 'merge', out: values.out, model, ...stats };
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
  return { command: 'run', input, ...shardRunArgs({ ...values, out: values.out }, bad), ...stats };
}

