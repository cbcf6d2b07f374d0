import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safetensorsIndexName, torchIndexName } from './openCheckpoint.ts';
import { writeSafetensors } from './safetensorsWriter.ts';
import { byteLength, type TensorSource, type TensorSpec } from './tensorSource.ts';
import { writeTorchZip } from './torchWriter.ts';

export type WeightFormat = 'bin' | 'safetensors';

export interface ShardedWriteOptions {
  dir: string;
  format: WeightFormat;
  /** Hugging Face's rule: start a new shard when the next tensor would push this one past the limit. */
  maxShardBytes: number;
}

export interface ShardedWriteResult {
  /** Shard file names, in order. */
  files: string[];
  /** The index file name, or undefined when everything fits one file (then named like an unsharded checkpoint). */
  indexFile: string | undefined;
  totalBytes: number;
}

/** Splits tensors into consecutive shards of at most `maxShardBytes` (a single larger tensor gets a shard to itself). */
export function planShards<T extends TensorSpec>(specs: T[], maxShardBytes: number): T[][] {
  const shards: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const spec of specs) {
    const size = byteLength(spec);
    if (current.length > 0 && currentBytes + size > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(spec);
    currentBytes += size;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** Shard names as Hugging Face writes them: `pytorch_model-00001-of-00002.bin`, `model-00001-of-00002.safetensors`. */
export function shardFileName(format: WeightFormat, index: number, count: number): string {
  const [stem, extension] = format === 'bin' ? ['pytorch_model', 'bin'] : ['model', 'safetensors'];
  if (count === 1) return `${stem}.${extension}`;
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${stem}-${pad(index + 1)}-of-${pad(count)}.${extension}`;
}

/** Writes a (sharded) checkpoint and its `*.index.json`, streaming one tensor at a time. */
export async function writeShardedCheckpoint(sources: TensorSource[], options: ShardedWriteOptions): Promise<ShardedWriteResult> {
  const shards = planShards(sources, options.maxShardBytes);
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  for (const [index, shard] of shards.entries()) {
    const name = shardFileName(options.format, index, shards.length);
    const path = join(options.dir, name);
    if (options.format === 'bin') await writeTorchZip(path, shard);
    else await writeSafetensors(path, shard);
    files.push(name);
    for (const source of shard) weightMap[source.name] = name;
  }
  const totalBytes = sources.reduce((sum, source) => sum + byteLength(source), 0);
  if (shards.length <= 1) return { files, indexFile: undefined, totalBytes };
  // Hugging Face writes the index with sorted keys and a two-space indent.
  const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((key) => [key, weightMap[key]]));
  const indexFile = options.format === 'bin' ? torchIndexName : safetensorsIndexName;
  await writeFile(join(options.dir, indexFile), `${JSON.stringify({ metadata: { total_size: totalBytes }, weight_map: sorted }, null, 2)}\n`);
  return { files, indexFile, totalBytes };
}
