/**
 * npm run rank -- --bundle DIR [--ref R] --candidates FILE... [--all-pairs] [--json] [--device webgpu|cpu]
 *
 * Ranks 2 to 64 images of one reference with DepictQA in Node, through the app's engine. Exit status: 0 ranked,
 * 1 bad input or a failed run, 2 a malformed command line; the error's code, message and hint go to stderr (and,
 * with --json, as a record to stdout).
 */
import { runCli } from './flags/runCli.ts';
import { parseRankArgs, RANK_USAGE } from './host/rankArgs.ts';
import { runRank } from './host/runRank.ts';

await runCli('rank', RANK_USAGE, process.argv.slice(2), async (io) => {
  await runRank(parseRankArgs(process.argv.slice(2)), io);
});
