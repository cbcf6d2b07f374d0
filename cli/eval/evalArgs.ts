import { parseArgs } from 'node:util';
import { VARIANTS, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { AppError } from '../../src/core/errors.ts';
import { NODE_DEVICES, type NodeDevice } from '../host/nodeDevice.ts';
import { parseShard, type ShardSpec } from './shards.ts';

export const EVAL_USAGE = `Usage:
  npm run eval -- --dataset FILE --bundle DIR --out DIR [--shard I/N] [options]
  npm run eval -- merge --out DIR

  --dataset FILE          CSV "reference,image,mos" (empty reference: no-reference), KADID-10k dmos.csv,
                          TID2013 mos_with_names.txt, or 2AFC triplets CSV "reference,a,b,human_prefers_a"
  --bundle DIR            a converted bundle folder
  --out DIR               where shards append their journals and the merge writes summary.json / summary.md
  --shard I/N             evaluate shard I (0-based) of N; every reference group falls in exactly one shard.
                          Without it: the whole dataset, merged at the end
  --task comparison       the task that judges pairs (the only one so far)
  --all-pairs             compare every pair of a group (DepictQA's protocol) instead of ⌈n·log2 n⌉ chosen pairs
  --device D              webgpu | cpu (default: webgpu when a GPU adapter is found, else cpu)
  --variant V             q4f16 | q4 | fp32
  --context N             KV cache positions
  --no-kv-reuse           prefill every comparison whole, from an empty KV cache (the same numbers, slower)
  --comparator fake       a deterministic stand-in driven by the dataset's MOS, to try the pipeline without a model
  --fake-delay-ms MS      with --comparator fake: wait this long per comparison

A killed shard resumes where it stopped when run again with the same arguments.`;

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

export function parseEvalArgs(argv: string[]): EvalArgs {
  const merge = argv[0] === 'merge';
  let values;
  try {
    ({ values } = parseArgs({
      args: merge ? argv.slice(1) : argv,
      strict: true,
      options: {
        dataset: { type: 'string' },
        bundle: { type: 'string' },
        out: { type: 'string' },
        shard: { type: 'string' },
        task: { type: 'string', default: 'comparison' },
        'all-pairs': { type: 'boolean', default: false },
        device: { type: 'string' },
        variant: { type: 'string' },
        context: { type: 'string' },
        comparator: { type: 'string', default: 'engine' },
        'fake-delay-ms': { type: 'string' },
        'no-kv-reuse': { type: 'boolean', default: false },
      },
    }));
  } catch (cause) {
    throw bad((cause as Error).message);
  }
  if (values.out === undefined) throw bad('--out DIR is required.');
  if (merge) return { command: 'merge', out: values.out };
  if (values.dataset === undefined) throw bad('--dataset FILE is required.');
  if (values.task !== 'comparison') throw bad(`--task ${values.task}: datasets are evaluated with the comparison task only.`);
  return { command: 'run', dataset: values.dataset, ...shardRunArgs({ ...values, out: values.out }, bad) };
}

/** The flags of a sharded run of comparisons, checked (eval and compare take the same ones). */
export function shardRunArgs(
  values: {
    out: string;
    shard?: string | undefined;
    'all-pairs': boolean;
    comparator: string;
    bundle?: string | undefined;
    device?: string | undefined;
    variant?: string | undefined;
    context?: string | undefined;
    'no-kv-reuse': boolean;
    'fake-delay-ms'?: string | undefined;
  },
  fail: (message: string) => AppError,
): ShardRunArgs {
  const whole = (flag: string, text: string, min: number): number => {
    const value = Number(text);
    if (!(Number.isSafeInteger(value) && value >= min)) throw fail(`${flag} ${text}: expected a whole number ≥ ${min}.`);
    return value;
  };
  if (values.comparator !== 'engine' && values.comparator !== 'fake') throw fail(`--comparator ${values.comparator}: expected engine or fake.`);
  if (values.comparator === 'engine' && values.bundle === undefined) throw fail('--bundle DIR is required.');
  if (values.device !== undefined && !(NODE_DEVICES as readonly string[]).includes(values.device)) throw fail(`--device ${values.device}: expected ${NODE_DEVICES.join(' or ')}.`);
  if (values.variant !== undefined && !(VARIANTS as readonly string[]).includes(values.variant)) throw fail(`--variant ${values.variant}: expected ${VARIANTS.join(', ')}.`);
  const context = values.context;
  const delay = values['fake-delay-ms'];
  return {
    out: values.out,
    shard: values.shard === undefined ? null : parseShard(values.shard),
    allPairs: values['all-pairs'],
    comparator: values.comparator,
    bundle: values.bundle ?? null,
    ...(values.device === undefined ? {} : { device: values.device as NodeDevice }),
    ...(values.variant === undefined ? {} : { variant: values.variant as BundleVariant }),
    ...(context === undefined ? {} : { maxContext: whole('--context', context, 1) }),
    kvReuse: !values['no-kv-reuse'],
    fakeDelayMs: delay === undefined ? 0 : whole('--fake-delay-ms', delay, 0),
  };
}

function bad(message: string): AppError {
  return new AppError('BAD_ARGUMENTS', message, { hint: 'See npm run eval -- --help.' });
}
