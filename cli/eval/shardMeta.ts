/**
 * `OUT/shard-I-of-N.json`: what a shard evaluates (its groups with their images and MOS, the dataset's hash,
 * the options and the model), written before its first comparison and again, marked complete, after its last.
 * The merge reads these and the journals only: it needs neither the dataset nor the images.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from '../fs/durableWrite.ts';
import { join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import type { ComparatorInfo } from './comparator.ts';
import type { DatasetLayout, EvalGroup, EvalTriplet } from './datasets.ts';
import type { PairMode } from './schedule.ts';
import { shardFileStem, type ShardSpec } from './shards.ts';

export const SHARD_FORMAT = 'depictqa-eval-shard/1';

export interface ShardGroupMeta {
  key: string;
  hasReference: boolean;
  images: Array<{ name: string; mos: number | null }>;
  triplets?: EvalTriplet[];
}

export interface ShardMeta {
  format: typeof SHARD_FORMAT;
  shard: ShardSpec;
  dataset: { path: string; layout: DatasetLayout; sha256: string; groups: number };
  task: 'comparison';
  pairs: PairMode;
  comparator: ComparatorInfo;
  groups: ShardGroupMeta[];
  complete: boolean;
}

export function shardMetaPath(out: string, shard: ShardSpec): string {
  return join(out, `${shardFileStem(shard)}.json`);
}

export function shardJournalPath(out: string, shard: ShardSpec): string {
  return join(out, `${shardFileStem(shard)}.jsonl`);
}

export function groupMeta(group: EvalGroup): ShardGroupMeta {
  return {
    key: group.key,
    hasReference: group.reference !== null,
    images: group.images.map(({ name, mos }) => ({ name, mos: Number.isFinite(mos) ? mos : null })),
    ...(group.triplets === undefined ? {} : { triplets: group.triplets }),
  };
}

export async function fileSha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** Written whole or not at all (a temporary name, flushed, renamed): a reader never sees half a file. */
export async function writeShardMeta(out: string, meta: ShardMeta): Promise<void> {
  await writeFileDurably(shardMetaPath(out, meta.shard), `${JSON.stringify(meta, null, 1)}\n`);
}

export async function readShardMeta(path: string): Promise<ShardMeta> {
  let meta: ShardMeta;
  try {
    meta = JSON.parse(await readFile(path, 'utf8')) as ShardMeta;
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${path}: cannot read the shard's description.`, { hint: 'Run the shard again; it rewrites the file.', cause });
  }
  if (meta.format !== SHARD_FORMAT) {
    throw new AppError('BAD_ARGUMENTS', `${path} is not a shard description of this version (format ${String(meta.format)}).`, {
      hint: 'Evaluate into a fresh --out folder.',
    });
  }
  return meta;
}

/** A restarted shard must continue the same work: same dataset content, task, pair mode and model. */
export function checkSameRun(previous: ShardMeta, next: ShardMeta, path: string): void {
  const differences: string[] = [];
  if (previous.dataset.sha256 !== next.dataset.sha256) differences.push('the dataset file changed');
  if (previous.task !== next.task) differences.push(`task ${previous.task} → ${next.task}`);
  if (previous.pairs !== next.pairs) differences.push(`pairs ${previous.pairs} → ${next.pairs}`);
  if (previous.comparator.variant !== next.comparator.variant) differences.push(`variant ${previous.comparator.variant} → ${next.comparator.variant}`);
  if (JSON.stringify(previous.comparator.model) !== JSON.stringify(next.comparator.model)) differences.push('the model changed');
  if (differences.length > 0) {
    throw new AppError('BAD_ARGUMENTS', `${path} belongs to a different run: ${differences.join('; ')}.`, {
      hint: 'Resume with the same dataset, --all-pairs setting and bundle, or evaluate into a fresh --out folder.',
    });
  }
}
