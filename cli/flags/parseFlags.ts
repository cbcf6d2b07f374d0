import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AppError } from '../../src/core/errors.ts';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends FlagOptions> = { args: string[]; options: O; strict: true; allowPositionals: false };
export type Flags<O extends FlagOptions> = ReturnType<typeof parseArgs<StrictConfig<O>>>['values'];

/**
 * A tool's command line as flags, parsed strictly (no positionals): an unknown flag or a missing value is
 * BAD_ARGUMENTS with the tool's usage as its hint.
 */
export function parseFlags<const O extends FlagOptions>(argv: string[], options: O, usage: string): Flags<O> {
  try {
    return parseArgs<StrictConfig<O>>({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    throw new AppError('BAD_ARGUMENTS', (cause as Error).message, { hint: usage, cause });
  }
}
