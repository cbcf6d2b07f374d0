import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import { badArguments, modelFlags, parseFlags, required, sharedFlags, sharedUsage, usageLine, wholeNumber } from '../flags/flags.ts';
import type { NodeDevice } from './nodeDevice.ts';

export const RANK_USAGE = [
  'Usage: npm run rank -- --bundle DIR [--ref R] --candidates FILE... [options]',
  '',
  sharedUsage('bundle'),
  sharedUsage('ref'),
  usageLine('candidates', 'FILE...', '2 to 64 images of the reference to rank (the files follow the flag)'),
  sharedUsage('all-pairs', "compare every pair (DepictQA's protocol) instead of ⌈N·log2 N⌉ chosen pairs at most"),
  usageLine('max-pairs', 'N', 'the most pairs to compare'),
  usageLine('question-index', 'N', 'which brief comparison question to ask (default 0)'),
  sharedUsage('no-kv-reuse'),
  sharedUsage('device'),
  sharedUsage('variant'),
  sharedUsage('context'),
  sharedUsage('json', 'print one JSON record instead of a table'),
].join('\n');

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
  const values = parseFlags(
    expanded,
    {
      ...sharedFlags('bundle', 'ref', 'all-pairs', 'no-kv-reuse', 'device', 'variant', 'context', 'json', 'help'),
      candidates: { type: 'string', multiple: true },
      'max-pairs': { type: 'string' },
      'question-index': { type: 'string' },
    },
    RANK_USAGE,
  );
  if (values.help) throw badArguments('asked for the usage', RANK_USAGE);
  const bundle = required(values.bundle, 'bundle', 'DIR', RANK_USAGE);
  return {
    bundle,
    ...(values.ref === undefined ? {} : { reference: values.ref }),
    candidates: values.candidates ?? [],
    allPairs: values['all-pairs'],
    ...(values['max-pairs'] === undefined ? {} : { maxPairs: wholeNumber(values['max-pairs'], 'max-pairs', 1, RANK_USAGE) }),
    ...(values['question-index'] === undefined ? {} : { questionIndex: wholeNumber(values['question-index'], 'question-index', 0, RANK_USAGE) }),
    kvReuse: !values['no-kv-reuse'],
    ...modelFlags(values, RANK_USAGE),
    json: values.json,
  };
}
