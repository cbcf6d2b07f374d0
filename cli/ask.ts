/**
 * npm run ask -- --bundle DIR --task TASK [--ref R] --a A [--b B] [--question Q] [--max-new-tokens N] [--json]
 *
 * Asks DepictQA one question in Node with the app's engine. Exit status: 0 answered, 1 bad input or a failed
 * run, 2 bad arguments; the error's code and message go to stderr (and, with --json, as a record to stdout).
 */
import { runCli } from './flags/runCli.ts';
import { ASK_USAGE, parseAskArgs } from './host/askArgs.ts';
import { runAsk } from './host/runAsk.ts';

await runCli('ask', ASK_USAGE, process.argv.slice(2), async (io) => {
  await runAsk(parseAskArgs(process.argv.slice(2)), io);
});
