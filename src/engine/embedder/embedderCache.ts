import { EMBEDDER_FILES, type EmbedderFilePath } from '../../core/embedder/embedderFiles.ts';
import type { CachedEmbedder } from '../../core/engine/embedder.ts';
import { AppError } from '../../core/errors.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { storedFileName } from '../bundle/cacheKey.ts';
import { entriesOf, unlessAbsent } from '../bundle/directoryHandle.ts';
import { opfsCacheRoot, storageError, writeWholeFile } from '../bundle/opfsFile.ts';
import type { EmbedderFolder } from './embedderFolder.ts';

/**
 * Sentence embedders downloaded from a URL prefix, in the Origin Private File System beside the bundles:
 *   depictqa-embedders/<key>/index.json   where it came from, and each file's size once stored whole
 *   depictqa-embedders/<key>/files/<path> each file under its escaped path
 * The key is a digest of the URL prefix: the files have no manifest with hashes to name them by. A copy counts
 * as complete when the index lists every file and each stored size matches it.
 */
const ROOT_NAME = 'depictqa-embedders';
const INDEX_NAME = 'index.json';
const FILES_NAME = 'files';

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

function cacheRoot(): Promise<FileSystemDirectoryHandle> {
  return opfsCacheRoot(
    ROOT_NAME,
    'the sentence model',
    'Use a current Chrome, Edge, Firefox or Safari, on an https:// page (or http://localhost); or choose the model folder instead.',
  );
}

/** One cached embedder's folder. */
export class EmbedderCacheEntry {
  private constructor(
    readonly key: string,
    private readonly dir: FileSystemDirectoryHandle,
    private readonly filesDir: FileSystemDirectoryHandle,
  ) {}

  /** null when `create` is false and nothing is cached under `key`. */
  static async open(key: string, create: boolean): Promise<EmbedderCacheEntry | null> {
    const root = await cacheRoot();
    const dir = await optional(() => root.getDirectoryHandle(key, { create }));
    if (dir === null) return null;
    return new EmbedderCacheEntry(key, dir, await dir.getDirectoryHandle(FILES_NAME, { create: true }));
  }

  async readIndex(): Promise<EmbedderIndex | null> {
    const handle = await optional(() => this.dir.getFileHandle(INDEX_NAME));
    if (handle === null) return null;
    try {
      const parsed = JSON.parse(await (await handle.getFile()).text()) as Partial<EmbedderIndex>;
      if (parsed.version !== 1 || typeof parsed.url !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) return null;
      return parsed as EmbedderIndex;
    } catch {
      return null;
    }
  }

  async writeIndex(index: EmbedderIndex): Promise<void> {
    const handle = await this.dir.getFileHandle(INDEX_NAME, { create: true });
    await writeWholeFile(handle, new TextEncoder().encode(JSON.stringify(index)));
  }

  /** The stored file for a path; null when absent and `create` is false. */
  file(path: EmbedderFilePath, create: boolean): Promise<FileSystemFileHandle | null> {
    return optional(() => this.filesDir.getFileHandle(storedFileName(path), { create }));
  }

  /** Stored sizes by escaped name. */
  async storedBytes(): Promise<number> {
    let total = 0;
    for await (const [, handle] of entriesOf(this.filesDir)) {
      if (handle.kind === 'file') total += (await (handle as FileSystemFileHandle).getFile()).size;
    }
    return total;
  }

  /** Whether every file is stored with the size the index gives it. */
  async isComplete(index: EmbedderIndex): Promise<boolean> {
    for (const path of EMBEDDER_FILES) {
      const bytes = index.files[path];
      const handle = await this.file(path, false);
      if (bytes === undefined || handle === null || (await handle.getFile()).size !== bytes) return false;
    }
    return true;
  }

  /** The stored files as a source transformers.js can be served from. */
  folder(label: string): EmbedderFolder {
    return {
      label,
      cacheKey: this.key,
      file: async (path) => {
        const handle = await this.file(path, false);
        return handle === null ? null : handle.getFile();
      },
    };
  }
}

/** Every embedder in the cache, most recently used first. */
export async function listCachedEmbedders(): Promise<CachedEmbedder[]> {
  const root = await cacheRoot();
  const found: CachedEmbedder[] = [];
  for await (const [key, handle] of entriesOf(root)) {
    if (handle.kind !== 'directory') continue;
    const entry = await EmbedderCacheEntry.open(key, false);
    const index = await entry?.readIndex();
    if (entry == null || index == null) continue;
    found.push({ key, url: index.url, bytesStored: await entry.storedBytes(), complete: await entry.isComplete(index), lastUsedAt: index.lastUsedAt });
  }
  return found.sort((a, b) => (a.lastUsedAt < b.lastUsedAt ? 1 : a.lastUsedAt > b.lastUsedAt ? -1 : 0));
}

/** A complete cached embedder by its key, its last use recorded; an AppError when it is gone or partial. */
export async function openCachedEmbedder(key: string): Promise<EmbedderFolder> {
  return withEmbedderLock(key, async () => {
    const entry = await EmbedderCacheEntry.open(key, false);
    const index = await entry?.readIndex();
    if (entry == null || index == null || !(await entry.isComplete(index))) {
      throw new AppError('MODEL_LOAD_FAILED', `The cached sentence model ${index?.url ?? key} is ${entry == null || index == null ? 'no longer in the cache' : 'incomplete'}.`, {
        hint: 'Load it again from its URL: the files are downloaded again.',
      });
    }
    await entry.writeIndex({ ...index, lastUsedAt: new Date().toISOString() });
    return entry.folder(`${index.url} (cached)`);
  });
}

export async function deleteCachedEmbedder(key: string): Promise<void> {
  const root = await cacheRoot();
  await withEmbedderLock(key, async () => {
    try {
      await root.removeEntry(key, { recursive: true });
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'NotFoundError') throw storageError(key, error);
    }
  });
}

/** Runs `task` holding the embedder's Web Lock, so two tabs never write (or delete) the same copy at once. */
export async function withEmbedderLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  if (typeof navigator === 'undefined' || navigator.locks === undefined) return task();
  return navigator.locks.request(`depictqa-embedder:${key}`, task);
}

async function optional<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await unlessAbsent(call);
  } catch (error) {
    throw storageError('the sentence model cache', error);
  }
}
