/**
 * npm run ask -- --bundle DIR --task TASK [--ref R] --a A [--b B] [--question Q] [--max-new-tokens N] [--json]
 * npm run ask -- --task localize --bundle DIR --ref R --a A [--b B] [--grid RxC] [--json]
 *
 * Asks DepictQA one question in Node with the app's engine, or maps where an image is worse (`--task localize`).
 * Exit status: 0 answered, 1 bad input or a failed run, 2 bad arguments; the error's code and message go to
 * stderr (and, with --json, as a record to stdout).
 */
import { runCli } from './flags/runCli.ts';
import { ASK_USAGE, parseAskArgs } from './host/askArgs.ts';
import { runAsk } from './host/runAsk.ts';
import { isLocalizeTask, LOCALIZE_USAGE, parseLocalizeArgs } from './localize/localizeArgs.ts';
import { runLocalize } from './localize/runLocalize.ts';

const argv = process.argv.slice(2);
if (isLocalizeTask(argv)) {
  await runCli('ask', LOCALIZE_USAGE, argv, async (io) => {
    await runLocalize(parseLocalizeArgs(argv), io);
  });
} else {
  await runCli('ask', ASK_USAGE, argv, async (io) => {
    await runAsk(parseAskArgs(argv), io);
  });
}
