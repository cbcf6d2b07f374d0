/**
 * npm run rank -- --bundle DIR [--ref R] --candidates FILE... [--all-pairs] [--json] [--device webgpu|cpu]
 *
 * Ranks 2 to 64 images of one reference with DepictQA in Node, through the app's engine. Exit status: 0 ranked,
 * 1 bad input or a failed run, 2 a malformed command line; the error's code, message and hint go to stderr (and,
 * with --json, as a record to stdout).
 */
import { AppError, serializeError } from '../src/core/errors.ts';
import { parseRankArgs, RANK_USAGE } from './node/rankArgs.ts';
import { runRank } from './node/runRank.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${RANK_USAGE}\n`);
    return;
  }
  const json = argv.includes('--json');
  try {
    await runRank(parseRankArgs(argv), { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
  } catch (error) {
    const { code, message, hint } = serializeError(error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint === undefined ? {} : { hint }) } })}\n`);
    process.stderr.write(`rank: ${code}: ${message}${hint === undefined ? '' : `\n  ${hint}`}\n`);
    if (!(error instanceof AppError)) process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
    process.exitCode = error instanceof AppError && error.code === 'BAD_ARGUMENTS' ? 2 : 1;
  }
}

await main();
