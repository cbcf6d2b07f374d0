import { parseArgs } from 'node:util';
import { VARIANTS, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { AppError } from '../../src/core/errors.ts';
import { count } from './askArgs.ts';
import { NODE_DEVICES, type NodeDevice } from './nodeDevice.ts';

export const RANK_USAGE = `Usage: npm run rank -- --bundle DIR [--ref R] --candidates FILE... [options]

  --bundle DIR            a converted bundle folder (manifest.json, onnx/, tokenizer)
  --ref FILE              the reference image (optional: picks the full-reference prompt)
  --candidates FILE...    2 to 64 images of the reference to rank (the files follow the flag)
  --all-pairs             compare every pair (DepictQA's protocol) instead of ⌈N·log2 N⌉ chosen pairs at most
  --max-pairs N           the most pairs to compare
  --question-index N      which brief comparison question to ask (default 0)
  --no-kv-reuse           prefill every comparison whole, from an empty KV cache (the same numbers, slower)
  --device D              webgpu | cpu (default: webgpu when a GPU adapter is found, else cpu)
  --variant V             q4f16 | q4 | fp32 (default: q4f16 on a GPU with shader-f16, else q4, else fp32)
  --context N             KV cache positions (default: the model's maximum)
  --json                  print one JSON record instead of a table`;

export interface RankArgs {
  bundle: string;
  reference?: string;
  candidates: string[];
  allPairs: boolean;
  maxPairs?: number;
  questionIndex?: number;
  /** false with --no-kv-reuse. */
  kvReuse: boolean;
  device?: NodeDevice;
  variant?: BundleVariant;
  maxContext?: number;
  json: boolean;
}

/**
 * The arguments of `npm run rank`. The candidates' count is not checked here: too few or too many is bad input
 * (exit status 1, like an unreadable image), not a malformed command line.
 */
export function parseRankArgs(argv: string[]): RankArgs {
  // 1. `--candidates a b c`: the files after the flag, up to the next flag, become repeated options.
  const expanded: string[] = [];
  let collecting = false;
  for (const arg of argv) {
    if (arg === '--candidates') {
      collecting = true;
      continue;
    }
    if (arg.startsWith('-')) collecting = false;
    expanded.push(...(collecting ? ['--candidates', arg] : [arg]));
  }
  // 2. The options.
  let values;
  try {
    ({ values } = parseArgs({
      args: expanded,
      strict: true,
      options: {
        bundle: { type: 'string' },
        ref: { type: 'string' },
        candidates: { type: 'string', multiple: true },
        'all-pairs': { type: 'boolean', default: false },
        'max-pairs': { type: 'string' },
        'question-index': { type: 'string' },
        'no-kv-reuse': { type: 'boolean', default: false },
        device: { type: 'string' },
        variant: { type: 'string' },
        context: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (cause) {
    throw new AppError('BAD_ARGUMENTS', `${(cause as Error).message}\n\n${RANK_USAGE}`, { cause });
  }
  if (values.help) throw new AppError('BAD_ARGUMENTS', RANK_USAGE);
  if (values.bundle === undefined) throw new AppError('BAD_ARGUMENTS', `--bundle is required.\n\n${RANK_USAGE}`);
  if (values.variant !== undefined && !VARIANTS.includes(values.variant as BundleVariant)) {
    throw new AppError('BAD_ARGUMENTS', `--variant must be one of ${VARIANTS.join(', ')}, not "${values.variant}".`);
  }
  if (values.device !== undefined && !NODE_DEVICES.includes(values.device as NodeDevice)) {
    throw new AppError('BAD_ARGUMENTS', `--device must be one of ${NODE_DEVICES.join(', ')}, not "${values.device}".`);
  }
  return {
    bundle: values.bundle,
    ...(values.ref === undefined ? {} : { reference: values.ref }),
    candidates: values.candidates ?? [],
    allPairs: values['all-pairs'],
    ...(values['max-pairs'] === undefined ? {} : { maxPairs: count(values['max-pairs'], '--max-pairs', 1) }),
    ...(values['question-index'] === undefined ? {} : { questionIndex: count(values['question-index'], '--question-index', 0) }),
    kvReuse: !values['no-kv-reuse'],
    ...(values.device === undefined ? {} : { device: values.device as NodeDevice }),
    ...(values.variant === undefined ? {} : { variant: values.variant as BundleVariant }),
    ...(values.context === undefined ? {} : { maxContext: count(values.context, '--context', 2) }),
    json: values.json,
  };
}
