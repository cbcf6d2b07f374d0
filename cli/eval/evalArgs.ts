import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import { modelFlags, oneOf, parseFlags, required, sharedFlags, sharedUsage, usageLine, wholeNumber, type Flags } from '../flags/flags.ts';
import type { NodeDevice } from '../host/nodeDevice.ts';
import { parseShard, type ShardSpec } from './shards.ts';

export const EVAL_USAGE = [
  'Usage:',
  '  npm run eval -- --dataset FILE --bundle DIR --out DIR [--shard I/N] [options]',
  '  npm run eval -- merge --out DIR',
  '',
  usageLine('dataset', 'FILE', 'CSV "reference,image,mos" (empty reference: no-reference), KADID-10k dmos.csv,\nTID2013 mos_with_names.txt, or 2AFC triplets CSV "reference,a,b,human_prefers_a"'),
  sharedUsage('bundle'),
  sharedUsage('out', 'where shards append their journals and the merge writes summary.json / summary.md'),
  sharedUsage('shard', 'evaluate shard I (0-based) of N; every reference group falls in exactly one shard.\nWithout it: the whole dataset, merged at the end'),
  usageLine('task', 'comparison', 'the task that judges pairs (the only one so far)'),
  sharedUsage('all-pairs', "compare every pair of a group (DepictQA's protocol) instead of ⌈n·log2 n⌉ chosen pairs"),
  sharedUsage('device'),
  sharedUsage('variant'),
  sharedUsage('context'),
  sharedUsage('no-kv-reuse'),
  sharedUsage('comparator', "a deterministic stand-in driven by the dataset's MOS, to try the pipeline without a model"),
  sharedUsage('fake-delay-ms'),
  '',
  'A killed shard resumes where it stopped when run again with the same arguments.',
].join('\n');

/** What a sharded run of comparisons is told, by `eval` and `compare` alike. */
export interface ShardRunArgs {
  out: string;
  shard: ShardSpec | null;
  allPairs: boolean;
  comparator: 'engine' | 'fake';
  bundle: string | null;
  device?: NodeDevice;
  variant?: BundleVariant;
  maxContext?: number;
  /** false with --no-kv-reuse. */
  kvReuse: boolean;
  fakeDelayMs: number;
}

export type EvalArgs = { command: 'merge'; out: string } | ({ command: 'run'; dataset: string } & ShardRunArgs);

/** The flags of a sharded run of comparisons, which eval and compare both take. */
export const SHARD_RUN_FLAGS = sharedFlags('bundle', 'out', 'shard', 'all-pairs', 'device', 'variant', 'context', 'comparator', 'fake-delay-ms', 'no-kv-reuse');

export function parseEvalArgs(argv: string[]): EvalArgs {
  const merge = argv[0] === 'merge';
  const values = parseFlags(merge ? argv.slice(1) : argv, { ...SHARD_RUN_FLAGS, dataset: { type: 'string' }, task: { type: 'string', default: 'comparison' } }, EVAL_USAGE);
  const out = required(values.out, 'out', 'DIR', EVAL_USAGE);
  if (merge) return { command: 'merge', out };
  const dataset = required(values.dataset, 'dataset', 'FILE', EVAL_USAGE);
  oneOf(values.task, 'task', ['comparison'], EVAL_USAGE);
  return { command: 'run', dataset, ...shardRunArgs({ ...values, out }, EVAL_USAGE) };
}

/** The flags of a sharded run of comparisons, checked. */
export function shardRunArgs(values: Flags<typeof SHARD_RUN_FLAGS> & { out: string }, usage: string): ShardRunArgs {
  const comparator = oneOf(values.comparator, 'comparator', ['engine', 'fake'], usage);
  if (comparator === 'engine') required(values.bundle, 'bundle', 'DIR', usage);
  const delay = values['fake-delay-ms'];
  return {
    out: values.out,
    shard: values.shard === undefined ? null : parseShard(values.shard),
    allPairs: values['all-pairs'],
    comparator,
    bundle: values.bundle ?? null,
    ...modelFlags(values, usage),
    kvReuse: !values['no-kv-reuse'],
    fakeDelayMs: delay === undefined ? 0 : wholeNumber(delay, 'fake-delay-ms', 0, usage),
  };
}
