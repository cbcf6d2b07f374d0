import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import type { Checkpoint, TensorEntry } from './types.ts';

export type ShardOpener = (path: string, namedBy: string) => Promise<Checkpoint>;

/** Reads a Hugging Face `*.index.json`: `{ metadata, weight_map: { tensor name → shard file } }`. */
export async function readWeightMap(indexPath: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(indexPath, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new AppError('FILE_NOT_FOUND', `${indexPath}: file not found`, { cause: error });
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('CHECKPOINT_INVALID', `${indexPath}: not valid JSON`, { cause: error });
  }
  const weightMap = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new AppError('CHECKPOINT_INVALID', `${indexPath}: no "weight_map" object (not a sharded checkpoint index)`);
  }
  const map = new Map<string, string>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard === '') throw new AppError('CHECKPOINT_INVALID', `${indexPath}: "${name}" maps to no file name`);
    map.set(name, shard);
  }
  if (map.size === 0) throw new AppError('CHECKPOINT_INVALID', `${indexPath}: the weight_map is empty`);
  return map;
}

/**
 * Opens every shard an index names (each lazily, as its own reader does) and presents them as one checkpoint.
 * The index must agree with the shards: a tensor it names must be in the shard it names.
 */
export async function openShardedCheckpoint(indexPath: string, openShard: ShardOpener): Promise<Checkpoint> {
  const weightMap = await readWeightMap(indexPath);
  const folder = dirname(indexPath);
  const shardNames = [...new Set(weightMap.values())];
  const shards = new Map<string, Checkpoint>();
  const closeAll = () => Promise.all([...shards.values()].map((shard) => shard.close())).then(() => undefined);
  try {
    for (const shardName of shardNames) shards.set(shardName, await openShard(join(folder, shardName), indexPath));
    const tensors = new Map<string, TensorEntry>();
    const skipped = new Map<string, string>();
    for (const [shardName, shard] of shards) {
      for (const [name, entry] of shard.tensors) {
        const owner = weightMap.get(name);
        if (owner !== undefined && owner !== shardName) continue; // a stale copy: the index decides
        if (tensors.has(name)) throw new AppError('CHECKPOINT_INVALID', `${entry.file}: tensor "${name}" also appears in ${tensors.get(name)?.file}`);
        tensors.set(name, entry);
      }
      for (const [name, dtype] of shard.skipped ?? []) skipped.set(name, dtype);
    }
    for (const [name, shardName] of weightMap) {
      if (!tensors.has(name) && !skipped.has(name)) {
        throw new AppError('CHECKPOINT_INVALID', `${indexPath}: names tensor "${name}" in ${shardName}, which does not hold it`, {
          hint: 'The index and the shards come from different checkpoints: download them again together.',
        });
      }
    }
    return { tensors, skipped, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
