import { EMBEDDER_FILES, type EmbedderFilePath } from '../../core/embedder/embedderFiles.ts';
import type { CachedEmbedder } from '../../core/engine/embedder.ts';
import { AppError } from '../../core/errors.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { OpfsCache, type OpfsEntry } from '../bundle/opfsCache.ts';
import type { EmbedderFolder } from './embedderFolder.ts';

/**
 * Sentence embedders downloaded from a URL prefix, in the Origin Private File System beside the bundles (OpfsCache):
 *   depictqa-embedders/<key>/index.json   where it came from, and each file's size once stored whole
 *   depictqa-embedders/<key>/files/<path> each file under its escaped path
 * The key is a digest of the URL prefix: the files have no manifest with hashes to name them by. A copy counts
 * as complete when the index lists every file and each stored size matches it.
 */
export const EMBEDDER_CACHE = new OpfsCache(
  'depictqa-embedders',
  'the sentence model',
  'Use a current Chrome, Edge, Firefox or Safari, on an https:// page (or http://localhost); or choose the model folder instead.',
  'depictqa-embedder',
);
const INDEX_NAME = 'index.json';

export interface EmbedderIndex {
  version: 1;
  url: string;
  /** Path → bytes, for each file stored whole. */
  files: Partial<Record<EmbedderFilePath, number>>;
  createdAt: string;
  lastUsedAt: string;
}

export async function embedderCacheKey(prefix: string): Promise<string> {
  return (await sha256Hex(new TextEncoder().encode(prefix))).slice(0, 32);
}

/** An embedder entry's index; null when absent, damaged or from a future app version. */
export async function readEmbedderIndex(entry: OpfsEntry): Promise<EmbedderIndex | null> {
  const parsed = (await entry.readJson(INDEX_NAME)) as Partial<EmbedderIndex> | null;
  if (parsed === null || parsed.version !== 1 || typeof parsed.url !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) return null;
  return parsed as EmbedderIndex;
}

export function writeEmbedderIndex(entry: OpfsEntry, index: EmbedderIndex): Promise<void> {
  return entry.writeJson(INDEX_NAME, index);
}

/** Whether every file is stored with the size the index gives it. */
export async function isComplete(entry: OpfsEntry, index: EmbedderIndex): Promise<boolean> {
  const stored = await entry.storedFiles();
  return EMBEDDER_FILES.every((path) => index.files[path] !== undefined && stored.get(path) === index.files[path]);
}

/** The stored files as a source transformers.js can be served from. */
export function embedderFolder(entry: OpfsEntry, label: string): EmbedderFolder {
  return {
    label,
    cacheKey: entry.key,
    file: async (path) => {
      const handle = await entry.file(path, false);
      return handle === null ? null : handle.getFile();
    },
  };
}

/** Every embedder in the cache, most recently used first. */
export async function listCachedEmbedders(): Promise<CachedEmbedder[]> {
  const found: CachedEmbedder[] = [];
  for (const key of await EMBEDDER_CACHE.keys()) {
    const entry = await EMBEDDER_CACHE.entry(key, false);
    const index = entry === null ? null : await readEmbedderIndex(entry);
    if (entry === null || index === null) continue;
    const bytesStored = [...(await entry.storedFiles()).values()].reduce((sum, bytes) => sum + bytes, 0);
    found.push({ key, url: index.url, bytesStored, complete: await isComplete(entry, index), lastUsedAt: index.lastUsedAt });
  }
  return found.sort((a, b) => (a.lastUsedAt < b.lastUsedAt ? 1 : a.lastUsedAt > b.lastUsedAt ? -1 : 0));
}

/** A complete cached embedder by its key, its last use recorded; an AppError when it is gone or partial. */
export async function openCachedEmbedder(key: string): Promise<EmbedderFolder> {
  return EMBEDDER_CACHE.withLock(key, async () => {
    const entry = await EMBEDDER_CACHE.entry(key, false);
    const index = entry === null ? null : await readEmbedderIndex(entry);
    if (entry === null || index === null || !(await isComplete(entry, index))) {
      throw new AppError('MODEL_LOAD_FAILED', `The cached sentence model ${index?.url ?? key} is ${entry === null || index === null ? 'no longer in the cache' : 'incomplete'}.`, {
        hint: 'Load it again from its URL: the files are downloaded again.',
      });
    }
    await writeEmbedderIndex(entry, { ...index, lastUsedAt: new Date().toISOString() });
    return embedderFolder(entry, `${index.url} (cached)`);
  });
}

export function deleteCachedEmbedder(key: string): Promise<void> {
  return EMBEDDER_CACHE.delete(key);
}
