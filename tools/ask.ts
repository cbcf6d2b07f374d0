/**
 * npm run ask -- --bundle DIR --task TASK [--ref R] --a A [--b B] [--question Q] [--max-new-tokens N] [--json]
 *
 * Asks DepictQA one question in Node with the app's engine. Exit status: 0 answered, 1 bad input or a failed
 * run, 2 bad arguments; the error's code and message go to stderr (and, with --json, as a record to stdout).
 */
import { AppError, serializeError } from '../src/core/errors.ts';
import { ASK_USAGE, parseAskArgs } from './node/askArgs.ts';
import { runAsk } from './node/runAsk.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${ASK_USAGE}\n`);
    return;
  }
  const json = argv.includes('--json');
  try {
    const args = parseAskArgs(argv);
    await runAsk(args, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) });
  } catch (error) {
    const { code, message, hint } = serializeError(error);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint === undefined ? {} : { hint }) } })}\n`);
    process.stderr.write(`ask: ${code}: ${message}${hint === undefined ? '' : `\n  ${hint}`}\n`);
    if (!(error instanceof AppError)) process.stderr.write(`${error instanceof Error ? (error.stack ?? '') : ''}\n`);
    process.exitCode = error instanceof AppError && error.code === 'BAD_ARGUMENTS' ? 2 : 1;
  }
}

await main();
