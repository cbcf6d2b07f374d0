import { AppError } from '../../src/core/errors.ts';
import { compareKeys } from './datasets.ts';

/** Shard `index` of `count` (0-based), as `--shard I/N` and the schedulers' array indices give it. */
export interface ShardSpec {
  index: number;
  count: number;
}

export function parseShard(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match === null ? NaN : Number(match[1]);
  const count = match === null ? NaN : Number(match[2]);
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(count) && count >= 1 && index < count)) {
    throw new AppError('BAD_ARGUMENTS', `--shard ${text}: expected I/N with 0 ≤ I < N (e.g. 0/4).`, {
      hint: 'Shards count from 0, as Slurm array indices and Kubernetes completion indices do.',
    });
  }
  return { index, count };
}

/**
 * The groups of one shard: groups sorted by key, dealt round-robin (the k-th group to shard k mod N), so every
 * group falls in exactly one shard for any N, the shards differ by at most one group, and the split depends
 * only on the dataset's group keys.
 */
export function groupsOfShard<T extends { key: string }>(groups: readonly T[], shard: ShardSpec): T[] {
  return [...groups].sort((a, b) => compareKeys(a.key, b.key)).filter((_, k) => k % shard.count === shard.index);
}

export function shardFileStem(shard: ShardSpec): string {
  return `shard-${shard.index}-of-${shard.count}`;
}
