import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { FileSpec } from '../src/core/bundle/manifest.ts';

/** sha256 of a file, streamed (weight chunks are gigabytes). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The manifest's entry for a file under `root`. */
export async function describeFile(root: string, path: string): Promise<FileSpec> {
  const [info, sha256] = await Promise.all([stat(path), sha256File(path)]);
  return { path: relative(root, path).split(sep).join('/'), bytes: info.size, sha256 };
}
