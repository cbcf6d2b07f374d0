import { refusingNonFinite } from './finiteWeights.ts';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import { openFile, readAt } from './fileAccess.ts';
import { openSafetensors } from './safetensorsReader.ts';
import { openShardedCheckpoint, readWeightMap } from './shardIndex.ts';
import { openTorchZip } from './torchReader.ts';
import type { Checkpoint } from './types.ts';

export const safetensorsIndexName = 'model.safetensors.index.json';
export const torchIndexName = 'pytorch_model.bin.index.json';

/**
 * Opens a checkpoint in any of the original formats, reading only metadata:
 * - a folder: its `*.index.json` (safetensors preferred), else its single `model.safetensors` / `pytorch_model.bin`;
 * - an `*.index.json`: every shard it names;
 * - a file: a PyTorch zip (`.bin`, `.pt`, `.pth`, …) or a `.safetensors`, told apart by their first bytes.
 */
export async function openCheckpoint(path: string): Promise<Checkpoint> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new AppError('FILE_NOT_FOUND', `${path}: file not found`, { cause: error });
    }
    throw error;
  }
  if (isFolder) {
    const { file, notes } = await pickFromFolder(path);
    const checkpoint = await openCheckpoint(file);
    return notes.length === 0 ? checkpoint : { ...checkpoint, notes: [...notes, ...(checkpoint.notes ?? [])] };
  }
  if (path.endsWith('.json')) return openShardedCheckpoint(path, openCheckpointFile);
  return openCheckpointFile(path);
}

/** Opens one weights file (a shard or a whole checkpoint) by sniffing its format. */
export async function openCheckpointFile(path: string, namedBy?: string): Promise<Checkpoint> {
  const file = await openFile(path, namedBy);
  let head: Buffer;
  try {
    head = await readAt(file, 0, Math.min(8, file.size));
  } finally {
    await file.close();
  }
  const isZip = head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
  // The legacy torch format starts with PROTO 2 and a LONG1 magic number (a safetensors length never has 0x8a there).
  const isLegacyTorch = head[0] === 0x80 && head[2] === 0x8a;
  if (isZip || isLegacyTorch) return refusingNonFinite(await openTorchZip(path, namedBy));
  if (extname(path) === '.safetensors' || head.length < 8 || head.readBigUInt64LE(0) < 100n << 20n) return refusingNonFinite(await openSafetensors(path, namedBy));
  throw new AppError('CHECKPOINT_INVALID', `${path}: neither a safetensors file nor a PyTorch zip checkpoint`, {
    hint: 'Expected .safetensors, a torch.save file (.bin, .pt, .pth) or an *.index.json of shards.',
  });
}

/** Shards an index names that the folder lacks. */
async function missingShards(folder: string, index: string, names: readonly string[]): Promise<string[]> {
  const shards = new Set((await readWeightMap(join(folder, index))).values());
  return [...shards].filter((shard) => !names.includes(shard)).sort();
}

async function pickFromFolder(folder: string): Promise<{ file: string; notes: string[] }> {
  const names = (await readdir(folder)).sort();
  const found = (name: string, notes: string[] = []) => ({ file: join(folder, name), notes });
  if (names.includes(safetensorsIndexName)) {
    // A folder with both indexes whose safetensors shards were never downloaded (only the .bin ones, as Vicuna
    // ships them) is read through the .bin index.
    const missing = await missingShards(folder, safetensorsIndexName, names);
    if (missing.length > 0 && names.includes(torchIndexName) && (await missingShards(folder, torchIndexName, names)).length === 0) {
      const list = `${missing.slice(0, 2).join(', ')}${missing.length > 2 ? `, … (${missing.length})` : ''}`;
      return found(torchIndexName, [`${safetensorsIndexName} names shards this folder lacks (${list}); read ${torchIndexName} and its .bin shards instead`]);
    }
    return found(safetensorsIndexName);
  }
  if (names.includes(torchIndexName)) return found(torchIndexName);
  for (const name of names.filter((n) => n.endsWith('.index.json'))) {
    try {
      await readWeightMap(join(folder, name));
      return found(name);
    } catch {
      // Not a weight index (some other *.index.json): keep looking.
    }
  }
  for (const preferred of ['model.safetensors', 'pytorch_model.bin']) {
    if (names.includes(preferred)) return found(preferred);
  }
  const weights = names.filter((n) => /\.(safetensors|bin|pt|pth)$/.test(n));
  if (weights.length === 1) return found(weights[0] as string);
  throw new AppError(
    'CHECKPOINT_INVALID',
    weights.length === 0 ? `${folder}: no checkpoint files in this folder` : `${folder}: several weight files and no index: ${weights.join(', ')}`,
    { hint: 'Point at the weights file itself, or at a folder with model.safetensors, pytorch_model.bin or an *.index.json.' },
  );
}
