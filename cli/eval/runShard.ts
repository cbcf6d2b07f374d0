/**
 * One shard of a dataset evaluation: its reference groups one after another, each group's comparisons as the
 * schedule asks for them, every answer appended to the journal before the next is asked. A restart reads the
 * journal, asks only what is missing, and ends where an uninterrupted run would have ended.
 */
import { mkdir } from 'node:fs/promises';
import { AppError } from '../../src/core/errors.ts';
import type { ComparisonRecord } from '../../src/core/ranking/index.ts';
import type { Comparator } from './comparator.ts';
import { readDataset, type EvalDataset, type EvalGroup } from './datasets.ts';
import { entryKey, openJournal, readJournal, type JournalEntry } from './journal.ts';
import { nextComparison, plannedComparisons, type PairMode } from './schedule.ts';
import { checkSameRun, fileSha256, groupMeta, readShardMeta, SHARD_FORMAT, shardJournalPath, shardMetaPath, writeShardMeta, type ShardMeta } from './shardMeta.ts';
import { acquireLock, type LockOptions } from './shardLock.ts';
import { groupsOfShard, type ShardSpec } from './shards.ts';
import { existsSync } from 'node:fs';

export interface RunShardOptions {
  dataset: string;
  out: string;
  shard: ShardSpec;
  pairs: PairMode;
  comparator: Comparator;
  /** A progress line (no newline); default: none. */
  onProgress?: (line: string) => void;
  /** Milliseconds between progress lines; default 2000. */
  progressEveryMs?: number;
  now?: () => number;
  /** The command's name in progress lines and the lock's description (default `eval`). */
  label?: string;
  /** The shard lock's settings (tests: another pid or host, signals left alone). */
  lock?: Omit<LockOptions, 'what'>;
}

export interface RunShardResult {
  groups: number;
  /** Comparisons found in the journal, and asked in this run. */
  resumed: number;
  asked: number;
  /** A line cut short by an earlier kill was dropped. */
  droppedPartialLine: boolean;
  /** What taking the shard's lock had to do (a dead holder's lock taken over). */
  notes: string[];
}

export async function runShard(options: RunShardOptions): Promise<RunShardResult> {
  const { out, shard } = options;
  const dataset = readDataset(options.dataset);
  await mkdir(out, { recursive: true });
  // One writer per shard: taken before anything of the shard is read, let go when it is done or fails.
  const lock = await acquireLock(`${shardJournalPath(out, shard)}.lock`, { what: `${options.label ?? 'eval'} shard ${shard.index}/${shard.count}`, ...options.lock });
  try {
    return { ...(await runLocked(options, dataset)), notes: lock.notes };
  } finally {
    await lock.release();
  }
}

async function runLocked(options: RunShardOptions, dataset: EvalDataset): Promise<Omit<RunShardResult, 'notes'>> {
  const { out, shard, pairs, comparator } = options;
  const now = options.now ?? (() => performance.now());
  const groups = groupsOfShard(dataset.groups, shard);

  // 1. The shard's description, checked against what an earlier run of this shard wrote.
  const meta: ShardMeta = {
    format: SHARD_FORMAT,
    shard,
    dataset: { path: dataset.path, layout: dataset.layout, sha256: await fileSha256(dataset.path), groups: dataset.groups.length },
    task: 'comparison',
    pairs,
    comparator: comparator.info,
    groups: groups.map(groupMeta),
    complete: false,
  };
  const metaPath = shardMetaPath(out, shard);
  if (existsSync(metaPath)) checkSameRun(await readShardMeta(metaPath), meta, metaPath);
  await writeShardMeta(out, meta);

  // 2. What is done already.
  const journalPath = shardJournalPath(out, shard);
  const contents = await readJournal(journalPath);
  const doneByGroup = new Map<string, JournalEntry[]>();
  const seen = new Set<string>();
  for (const entry of contents.entries) {
    if (seen.has(entryKey(entry))) continue;
    seen.add(entryKey(entry));
    doneByGroup.set(entry.group, [...(doneByGroup.get(entry.group) ?? []), entry]);
  }
  const stray = [...doneByGroup.keys()].find((key) => !groups.some((group) => group.key === key));
  if (stray !== undefined) {
    throw new AppError('BAD_ARGUMENTS', `${journalPath} records group "${stray}", which is not in shard ${shard.index} of ${shard.count} of this dataset.`, {
      hint: 'The journal belongs to another dataset or shard count: evaluate into a fresh --out folder.',
    });
  }
  const resumed = seen.size;
  const planned = groups.reduce((sum, group) => sum + plannedComparisons(group, pairs), 0);
  const journal = await openJournal(journalPath, contents);

  // 3. The groups, each to the end of its schedule.
  const started = now();
  let asked = 0;
  let lastProgress = -Infinity;
  let groupsDone = 0;
  const progress = (force: boolean) => {
    if (options.onProgress === undefined) return;
    const t = now();
    if (!force && t - lastProgress < (options.progressEveryMs ?? 2000)) return;
    lastProgress = t;
    const rate = asked / Math.max(1e-9, (t - started) / 1000);
    const left = Math.max(0, planned - resumed - asked);
    const eta = asked > 0 ? formatSeconds(left / rate) : '?';
    options.onProgress(
      `${options.label ?? 'eval'} shard ${shard.index}/${shard.count}: groups ${groupsDone}/${groups.length}, comparisons ${resumed + asked} of ≤ ${planned}` +
        ` (${resumed} resumed), ${rate.toFixed(2)}/s, ETA ≤ ${eta}`,
    );
  };
  try {
    for (const group of groups) {
      const records = (doneByGroup.get(group.key) ?? []).map((entry) => toRecord(group, entry, journalPath));
      for (let query = nextComparison(group, pairs, records); query !== null; query = nextComparison(group, pairs, records)) {
        const t0 = now();
        const imageA = group.images[query.first]!;
        const imageB = group.images[query.second]!;
        const answer = await comparator.compare({ reference: group.reference, imageA: imageA.path, imageB: imageB.path });
        const entry: JournalEntry = {
          group: group.key,
          imageA: imageA.name,
          imageB: imageB.name,
          pA: answer.pA,
          pB: answer.pB,
          runs: answer.runs,
          elapsedMs: Math.round((now() - t0) * 1000) / 1000,
        };
        await journal.append(entry);
        records.push({ first: query.first, second: query.second, pFirst: answer.pA, pSecond: answer.pB });
        asked++;
        progress(false);
      }
      groupsDone++;
      progress(false);
    }
  } finally {
    await journal.close();
  }
  progress(true);

  // 4. Marked complete: the merge takes only complete shards.
  await writeShardMeta(out, { ...meta, complete: true });
  return { groups: groups.length, resumed, asked, droppedPartialLine: contents.partialBytes > 0 };
}

function toRecord(group: EvalGroup, entry: JournalEntry, path: string): ComparisonRecord {
  const first = group.images.findIndex((image) => image.name === entry.imageA);
  const second = group.images.findIndex((image) => image.name === entry.imageB);
  if (first < 0 || second < 0) {
    throw new AppError('BAD_ARGUMENTS', `${path} records ${entry.imageA} vs ${entry.imageB} in group "${entry.group}", which the dataset does not list.`, {
      hint: 'The journal belongs to another dataset: evaluate into a fresh --out folder.',
    });
  }
  return { first, second, pFirst: entry.pA, pSecond: entry.pB };
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
