import { AppError, serializeError } from '../../src/core/errors.ts';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * The shell of a command-line tool that runs the engine: `--help` prints the usage; an error prints its code,
 * message and hint on stderr (and, with --json, as a record on stdout), a stack only for an unexpected error.
 * Exit status: 0 done, 1 bad input or a failed run, 2 a malformed command line.
 */
export async function runCli(name: string, usage: string, argv: string[], run: (io: CliIo) => Promise<void>): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  try {
    await run({ out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
  } catch (error) {
    const { code, message, hint } = serializeError(error);
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint === undefined ? {} : { hint }) } })}\n`);
    process.stderr.write(`${name}: ${code}: ${message}${hint === undefined ? '' : `\n  ${hint}`}\n`);
    if (!(error instanceof AppError)) process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
    process.exitCode = error instanceof AppError && error.code === 'BAD_ARGUMENTS' ? 2 : 1;
  }
}
