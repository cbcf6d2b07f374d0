/**
 * The one flags module of every command line (the CLIs, the converter, the benchmarks): strict parsing, the flags
 * that several commands share (defined once, with their usage lines), and the checks of a flag's value. Every
 * refusal is BAD_ARGUMENTS, worded `--flag must be …, not "value"`, with the command's usage as its hint; runCli
 * turns it into exit status 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VARIANTS, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { AppError } from '../../src/core/errors.ts';
import { NODE_DEVICES, type NodeDevice } from '../host/nodeDevice.ts';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends FlagOptions> = { args: string[]; options: O; strict: true; allowPositionals: false };
export type Flags<O extends FlagOptions> = ReturnType<typeof parseArgs<StrictConfig<O>>>['values'];

/** The flags several commands take, each with its value's name and the usage line's default text. */
export const SHARED_FLAGS = {
  bundle: { type: 'string' },
  ref: { type: 'string' },
  a: { type: 'string' },
  b: { type: 'string' },
  device: { type: 'string' },
  variant: { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  shard: { type: 'string' },
  comparator: { type: 'string', default: 'engine' },
  'fake-delay-ms': { type: 'string' },
  'all-pairs': { type: 'boolean', default: false },
  'no-kv-reuse': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies FlagOptions;
export type SharedFlag = keyof typeof SHARED_FLAGS;

const SHARED_USAGE: Record<SharedFlag, [value: string, text: string]> = {
  bundle: ['DIR', 'a converted bundle folder (manifest.json, onnx/, tokenizer)'],
  ref: ['FILE', 'the reference image (optional: picks the full-reference prompt)'],
  a: ['FILE, --b FILE', 'the images to judge (B for comparison and reasoning)'],
  b: ['FILE', 'Image B'],
  device: ['D', 'webgpu | cpu (default: webgpu when a GPU adapter is found, else cpu)'],
  variant: ['V', 'q4f16 | q4 | fp32 (default: q4f16 on a GPU with shader-f16, else q4, else fp32)'],
  context: ['N', "KV cache positions (default: the model's maximum)"],
  json: ['', 'print one JSON record instead of text'],
  out: ['DIR', 'where to write the results'],
  shard: ['I/N', 'run shard I (0-based) of N; without it: the whole input, merged at the end'],
  comparator: ['fake', 'a deterministic stand-in instead of the model, to try the pipeline quickly'],
  'fake-delay-ms': ['MS', 'with --comparator fake: wait this long per comparison'],
  'all-pairs': ['', 'compare every pair (DepictQA\'s protocol) instead of ⌈n·log2 n⌉ chosen pairs'],
  'no-kv-reuse': ['', 'prefill every comparison whole, from an empty KV cache (the same numbers, slower)'],
  help: ['', 'print this usage'],
};

/** The usage column width: flag and value, then the text. */
const COLUMN = 24;

/** One usage line in the shared style: `  --flag VALUE` padded to the column, then `text` (continued lines indented). */
export function usageLine(flag: string, value: string, text: string): string {
  const head = `  --${flag}${value === '' ? '' : ` ${value}`}`;
  const lines = text.split('\n');
  return [`${head.padEnd(COLUMN)}${head.length >= COLUMN ? ' ' : ''}${lines[0]}`, ...lines.slice(1).map((line) => `${' '.repeat(COLUMN)}${line}`)]
    .map((line) => line.trimEnd())
    .join('\n');
}

/** A shared flag's usage line; `text` replaces its default wording where a command means more by it. */
export function sharedUsage(flag: SharedFlag, text?: string): string {
  const [value, fallback] = SHARED_USAGE[flag];
  return usageLine(flag, value, text ?? fallback);
}

/** The named shared flags' parse options, to spread into a command's options. */
export function sharedFlags<const K extends SharedFlag>(...names: K[]): Pick<typeof SHARED_FLAGS, K> {
  return Object.fromEntries(names.map((name) => [name, SHARED_FLAGS[name]])) as Pick<typeof SHARED_FLAGS, K>;
}

/** A command line as flags, parsed strictly (no positionals): an unknown flag or a missing value is BAD_ARGUMENTS. */
export function parseFlags<const O extends FlagOptions>(argv: string[], options: O, usage: string): Flags<O> {
  try {
    return parseArgs<StrictConfig<O>>({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    throw new AppError('BAD_ARGUMENTS', (cause as Error).message, { hint: usage, cause });
  }
}

/** A malformed command line: `message` says what is wrong, the usage is the hint. */
export function badArguments(message: string, usage: string): AppError {
  return new AppError('BAD_ARGUMENTS', message, { hint: usage });
}

/** A required flag's value. */
export function required<T>(value: T | undefined, flag: string, valueName: string, usage: string): T {
  if (value === undefined) throw badArguments(`--${flag} is required: give --${flag} ${valueName}`, usage);
  return value;
}

/** A finite number. */
export function decimal(text: string, flag: string, usage: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw badArguments(`--${flag} must be a number, not "${text}"`, usage);
  return value;
}

/** A number above 0. */
export function positiveNumber(text: string, flag: string, usage: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw badArguments(`--${flag} must be a positive number, not "${text}"`, usage);
  return value;
}

/** A whole number ≥ `min`. */
export function wholeNumber(text: string, flag: string, min: number, usage: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) throw badArguments(`--${flag} must be a whole number ≥ ${min}, not "${text}"`, usage);
  return value;
}

/** One of `choices`. */
export function oneOf<const T extends string>(text: string, flag: string, choices: readonly T[], usage: string): T {
  if (!(choices as readonly string[]).includes(text)) throw badArguments(`--${flag} must be one of ${choices.join(', ')}, not "${text}"`, usage);
  return text as T;
}

/** Where and how the model runs: --device, --variant and --context, checked. */
export interface ModelFlags {
  device?: NodeDevice;
  variant?: BundleVariant;
  maxContext?: number;
}

export function modelFlags(values: { device?: string | undefined; variant?: string | undefined; context?: string | undefined }, usage: string): ModelFlags {
  return {
    ...(values.device === undefined ? {} : { device: oneOf(values.device, 'device', NODE_DEVICES, usage) }),
    ...(values.variant === undefined ? {} : { variant: oneOf(values.variant, 'variant', VARIANTS, usage) }),
    ...(values.context === undefined ? {} : { maxContext: wholeNumber(values.context, 'context', 2, usage) }),
  };
}
