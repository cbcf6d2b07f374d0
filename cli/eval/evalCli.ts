/** `npm run eval`: one shard of a dataset (or all of it), or the merge of the shards' journals. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from './datasets.ts';
import { openEngineComparator } from './engineComparator.ts';
import type { EvalArgs } from './evalArgs.ts';
import { fakeComparator, scoresFromDataset } from './fakeComparator.ts';
import { markdownSummary, mergeShards, writeMerged } from './merge.ts';
import { runShard } from './runShard.ts';
import { acquireLock } from './shardLock.ts';
import type { Comparator } from './comparator.ts';

export interface EvalOutput {
  out(text: string): void;
  err(text: string): void;
}

export async function runEval(args: EvalArgs, io: EvalOutput): Promise<void> {
  if (args.command === 'merge') return merge(args.out, io);
  // Fails on a bad dataset before the model loads.
  const dataset = readDataset(args.dataset);
  const comparator: Comparator =
    args.comparator === 'fake'
      ? fakeComparator({ scores: scoresFromDataset(dataset), delayMs: args.fakeDelayMs })
      : await openEngineComparator({
          bundle: args.bundle!,
          ...(args.device === undefined ? {} : { device: args.device }),
          ...(args.variant === undefined ? {} : { variant: args.variant }),
          ...(args.maxContext === undefined ? {} : { maxContext: args.maxContext }),
          kvReuse: args.kvReuse,
        });
  try {
    const shard = args.shard ?? { index: 0, count: 1 };
    const result = await runShard({
      dataset: args.dataset,
      out: args.out,
      shard,
      pairs: args.allPairs ? 'allPairs' : 'active',
      comparator,
      onProgress: (line) => io.err(`${line}\n`),
    });
    for (const note of result.notes) io.err(`eval shard ${shard.index}/${shard.count}: ${note}\n`);
    io.err(
      `eval shard ${shard.index}/${shard.count}: done, ${result.groups} groups, ${result.asked} comparisons asked, ${result.resumed} found in the journal` +
        `${result.droppedPartialLine ? ' (an unfinished last line was dropped)' : ''}\n`,
    );
  } finally {
    await comparator.close();
  }
  if (args.shard === null) await merge(args.out, io);
}

async function merge(out: string, io: EvalOutput): Promise<void> {
  // One merge at a time into the folder: two would write the same summary files.
  // (A folder that does not exist has nothing to merge, which mergeShards says.)
  const lock = existsSync(out) ? await acquireLock(join(out, 'merge.lock'), { what: 'eval merge' }) : null;
  try {
    for (const note of lock?.notes ?? []) io.err(`eval merge: ${note}\n`);
    const merged = await mergeShards(out);
    await writeMerged(out, merged);
    io.out(markdownSummary(merged.summary));
  } finally {
    await lock?.release();
  }
}
