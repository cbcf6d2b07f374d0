import { parseManifest, type BundleManifest } from '../../core/bundle/manifest.ts';
import type { CachedBundle } from '../../core/engine/api.ts';
import { pathOfStoredFile, storedFileName } from './cacheKey.ts';
import { entriesOf, unlessAbsent } from './directoryHandle.ts';
import { opfsCacheRoot, storageError, writeWholeFile } from './opfsFile.ts';
import { completeVariants } from '../../core/bundle/variantFiles.ts';

/**
 * The download cache in the Origin Private File System:
 *   depictqa-bundles/<key>/manifest.json   the manifest as downloaded
 *   depictqa-bundles/<key>/index.json      where it came from, and which files are verified
 *   depictqa-bundles/<key>/files/<path>    each file under its escaped bundle path (partial while downloading)
 * A file counts as cached only when the index lists its sha256 and its size matches the manifest: a reload
 * checks sizes, not hashes, so a cached 4 GB model opens in milliseconds.
 */
const ROOT_NAME = 'depictqa-bundles';
const INDEX_NAME = 'index.json';
const MANIFEST_NAME = 'manifest.json';
const FILES_NAME = 'files';

export interface CacheIndex {
  version: 1;
  /** URL prefixes this bundle was downloaded from, latest first. */
  sources: string[];
  createdAt: string;
  lastUsedAt: string;
  /** Bundle path → the sha256 it was verified against. */
  verified: Record<string, string>;
}

/** What the cache knows of one bundle: the type the engine API hands out. */
export type CachedBundleInfo = CachedBundle;

export function cacheRoot(): Promise<FileSystemDirectoryHandle> {
  return opfsCacheRoot(ROOT_NAME, 'the model', 'Use a current Chrome, Edge, Firefox or Safari, on an https:// page (or http://localhost).');
}

/** One cached bundle's folder. */
export class BundleCacheEntry {
  private constructor(
    readonly key: string,
    private readonly dir: FileSystemDirectoryHandle,
    private readonly filesDir: FileSystemDirectoryHandle,
  ) {}

  /** null when `create` is false and nothing is cached under `key`. */
  static async open(key: string, create: boolean): Promise<BundleCacheEntry | null> {
    const root = await cacheRoot();
    const dir = await optional(() => root.getDirectoryHandle(key, { create }));
    if (dir === null) return null;
    const filesDir = await dir.getDirectoryHandle(FILES_NAME, { create: true });
    return new BundleCacheEntry(key, dir, filesDir);
  }

  async readIndex(): Promise<CacheIndex> {
    const text = await this.readText(INDEX_NAME);
    const now = new Date().toISOString();
    const empty: CacheIndex = { version: 1, sources: [], createdAt: now, lastUsedAt: now, verified: {} };
    if (text === null) return empty;
    try {
      const parsed = JSON.parse(text) as Partial<CacheIndex>;
      // An index from a future app version, or a damaged one: files are then re-verified, never trusted.
      if (parsed.version !== 1 || typeof parsed.verified !== 'object' || parsed.verified === null) return empty;
      return { ...empty, ...parsed } as CacheIndex;
    } catch {
      return empty;
    }
  }

  writeIndex(index: CacheIndex): Promise<void> {
    return this.writeText(INDEX_NAME, JSON.stringify(index));
  }

  readManifestText(): Promise<string | null> {
    return this.readText(MANIFEST_NAME);
  }

  writeManifestText(text: string): Promise<void> {
    return this.writeText(MANIFEST_NAME, text);
  }

  /** The stored file for a bundle path; null when absent and `create` is false. */
  file(path: string, create: boolean): Promise<FileSystemFileHandle | null> {
    return optional(() => this.filesDir.getFileHandle(storedFileName(path), { create }));
  }

  async storedSize(path: string): Promise<number> {
    const handle = await this.file(path, false);
    return handle === null ? 0 : (await handle.getFile()).size;
  }

  async removeFile(path: string): Promise<void> {
    await optional(() => this.filesDir.removeEntry(storedFileName(path)));
  }

  /** Stored bundle paths and their sizes on disk. */
  async storedFiles(): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for await (const [name, handle] of entriesOf(this.filesDir)) {
      if (handle.kind === 'file') sizes.set(pathOfStoredFile(name), (await (handle as FileSystemFileHandle).getFile()).size);
    }
    return sizes;
  }

  private async readText(name: string): Promise<string | null> {
    const handle = await optional(() => this.dir.getFileHandle(name));
    return handle === null ? null : (await handle.getFile()).text();
  }

  private async writeText(name: string, text: string): Promise<void> {
    const handle = await this.dir.getFileHandle(name, { create: true });
    await writeWholeFile(handle, new TextEncoder().encode(text));
  }
}

/** Every bundle in the cache, most recently used first; folders without a readable manifest are skipped. */
export async function listCachedBundles(): Promise<CachedBundleInfo[]> {
  const root = await cacheRoot();
  const bundles: CachedBundleInfo[] = [];
  for await (const [key, handle] of entriesOf(root)) {
    if (handle.kind !== 'directory') continue;
    const entry = await BundleCacheEntry.open(key, false);
    const info = entry === null ? null : await describeEntry(entry);
    if (info !== null) bundles.push(info);
  }
  return bundles.sort((a, b) => (a.lastUsedAt < b.lastUsedAt ? 1 : a.lastUsedAt > b.lastUsedAt ? -1 : 0));
}

/** What the cache holds of one bundle; null when its manifest is missing or unreadable. */
export async function describeEntry(entry: BundleCacheEntry): Promise<CachedBundleInfo | null> {
  const text = await entry.readManifestText();
  if (text === null) return null;
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(JSON.parse(text), `cached ${entry.key}/manifest.json`);
  } catch {
    return null;
  }
  const [index, stored] = await Promise.all([entry.readIndex(), entry.storedFiles()]);
  const verified = new Set(
    manifest.files
      .filter((file) => index.verified[file.path] === file.sha256 && stored.get(file.path) === file.bytes)
      .map((file) => file.path),
  );
  return {
    key: entry.key,
    manifest,
    sources: index.sources,
    bytesStored: [...stored.values()].reduce((sum, bytes) => sum + bytes, 0),
    bytesTotal: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
    verifiedFiles: [...verified],
    completeVariants: completeVariants(manifest, verified),
    lastUsedAt: index.lastUsedAt,
  };
}

/** Removes one cached bundle; waits for a load of it (in any tab) to finish first. */
export async function deleteCachedBundle(key: string): Promise<void> {
  const root = await cacheRoot();
  await withBundleLock(key, async () => {
    try {
      await root.removeEntry(key, { recursive: true });
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'NotFoundError') throw storageError(key, error);
    }
  });
}

export async function clearBundleCache(): Promise<void> {
  const root = await cacheRoot();
  const keys: string[] = [];
  for await (const [key] of entriesOf(root)) keys.push(key);
  for (const key of keys) await deleteCachedBundle(key);
}

/**
 * Runs `task` while holding the bundle's Web Lock, so two tabs (or a load and a delete) never write the same
 * files at once; the second waits. Without Web Locks (old browsers) it just runs.
 */
export async function withBundleLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  if (typeof navigator === 'undefined' || navigator.locks === undefined) return task();
  return navigator.locks.request(`depictqa-bundle:${key}`, task);
}

/** null for NotFoundError, the call's value otherwise; other failures become storage errors. */
async function optional<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await unlessAbsent(call);
  } catch (error) {
    throw storageError('the model cache', error);
  }
}
