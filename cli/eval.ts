/**
 * npm run eval -- --dataset FILE --bundle DIR --out DIR [--shard I/N] [--all-pairs] [--device webgpu|cpu]
 * npm run eval -- merge --out DIR
 *
 * Evaluates DepictQA on an IQA dataset by pairwise comparisons within each reference group, in shards that
 * Slurm or Kubernetes run (deploy/), then merges them into SRCC/PLCC. Exit status: 0 done, 75 (EX_TEMPFAIL) the
 * shard or the merge is held by another process (try again later), 1 another error (its message and what to do go
 * to stderr).
 */
import { AppError, serializeError } from '../src/core/errors.ts';
import { EVAL_USAGE, parseEvalArgs } from './eval/evalArgs.ts';
import { runEval } from './eval/evalCli.ts';

/** sysexits.h: a temporary failure; the same command may succeed later. */
const EX_TEMPFAIL = 75;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return;
  }
  try {
    await runEval(parseEvalArgs(argv), { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
  } catch (error) {
    const { code, message, hint } = serializeError(error);
    process.stderr.write(`eval: ${code}: ${message}${hint === undefined ? '' : `\n  ${hint}`}\n`);
    if (!(error instanceof AppError)) process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
    process.exitCode = error instanceof AppError && error.code === 'SHARD_LOCKED' ? EX_TEMPFAIL : 1;
  }
}

await main();
