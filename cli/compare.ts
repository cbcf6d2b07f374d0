/**
 * npm run compare -- --bundle DIR [--ref DIR] --method NAME=DIR … --out OUT [--shard I/N] [--all-pairs] [--json]
 * npm run compare -- merge --out OUT
 *
 * Compares methods across a test set with DepictQA's pairwise comparisons, in shards that Slurm or Kubernetes run
 * as they run `eval`, then merges them into one score per method with bootstrap intervals, win rates and the
 * metrics beside them. Exit status: 0 done, 75 (EX_TEMPFAIL) the shard or the merge is held by another process,
 * 1 another error (its message and what to do go to stderr).
 */
import { AppError, serializeError } from '../src/core/errors.ts';
import { COMPARE_USAGE, parseCompareArgs } from './compare/compareArgs.ts';
import { runCompare } from './compare/compareCli.ts';

const EX_TEMPFAIL = 75;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${COMPARE_USAGE}\n`);
    return;
  }
  try {
    await runCompare(parseCompareArgs(argv), { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
  } catch (error) {
    const { code, message, hint } = serializeError(error);
    if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint === undefined ? {} : { hint }) } })}\n`);
    process.stderr.write(`compare: ${code}: ${message}${hint === undefined ? '' : `\n  ${hint}`}\n`);
    if (!(error instanceof AppError)) process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
    process.exitCode = error instanceof AppError && error.code === 'SHARD_LOCKED' ? EX_TEMPFAIL : 1;
  }
}

await main();
