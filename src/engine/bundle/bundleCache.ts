import { parseManifest, type BundleManifest } from '../../core/bundle/manifest.ts';
import type { CachedBundle } from '../../core/engine/api.ts';
import { OpfsCache, type OpfsEntry } from './opfsCache.ts';
import { completeVariants } from '../../core/bundle/variantFiles.ts';

/**
 * The bundles' download cache (OpfsCache):
 *   depictqa-bundles/<key>/manifest.json   the manifest as downloaded
 *   depictqa-bundles/<key>/index.json      where it came from, and which files are verified
 *   depictqa-bundles/<key>/files/<path>    each file under its escaped bundle path (partial while downloading)
 * A file counts as cached only when the index lists its sha256 and its size matches the manifest: a reload
 * checks sizes, not hashes, so a cached 4 GB model opens in milliseconds.
 */
export const BUNDLE_CACHE = new OpfsCache('depictqa-bundles', 'the model', 'Use a current Chrome, Edge, Firefox or Safari, on an https:// page (or http://localhost).', 'depictqa-bundle');
const INDEX_NAME = 'index.json';
const MANIFEST_NAME = 'manifest.json';

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

/** A bundle entry's index; an empty one when absent, from a future app version or damaged (files are then re-verified, never trusted). */
export async function readBundleIndex(entry: OpfsEntry): Promise<CacheIndex> {
  const parsed = (await entry.readJson(INDEX_NAME)) as Partial<CacheIndex> | null;
  const now = new Date().toISOString();
  const empty: CacheIndex = { version: 1, sources: [], createdAt: now, lastUsedAt: now, verified: {} };
  if (parsed === null || parsed.version !== 1 || typeof parsed.verified !== 'object' || parsed.verified === null) return empty;
  return { ...empty, ...parsed } as CacheIndex;
}

export function writeBundleIndex(entry: OpfsEntry, index: CacheIndex): Promise<void> {
  return entry.writeJson(INDEX_NAME, index);
}

export function readManifestText(entry: OpfsEntry): Promise<string | null> {
  return entry.readText(MANIFEST_NAME);
}

export function writeManifestText(entry: OpfsEntry, text: string): Promise<void> {
  return entry.writeText(MANIFEST_NAME, text);
}

/** Every bundle in the cache, most recently used first; folders without a readable manifest are skipped. */
export async function listCachedBundles(): Promise<CachedBundleInfo[]> {
  const bundles: CachedBundleInfo[] = [];
  for (const key of await BUNDLE_CACHE.keys()) {
    const entry = await BUNDLE_CACHE.entry(key, false);
    const info = entry === null ? null : await describeEntry(entry);
    if (info !== null) bundles.push(info);
  }
  return bundles.sort((a, b) => (a.lastUsedAt < b.lastUsedAt ? 1 : a.lastUsedAt > b.lastUsedAt ? -1 : 0));
}

/** What the cache holds of one bundle; null when its manifest is missing or unreadable. */
export async function describeEntry(entry: OpfsEntry): Promise<CachedBundleInfo | null> {
  const text = await readManifestText(entry);
  if (text === null) return null;
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(JSON.parse(text), `cached ${entry.key}/manifest.json`);
  } catch {
    return null;
  }
  const [index, stored] = await Promise.all([readBundleIndex(entry), entry.storedFiles()]);
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
export function deleteCachedBundle(key: string): Promise<void> {
  return BUNDLE_CACHE.delete(key);
}

export async function clearBundleCache(): Promise<void> {
  for (const key of await BUNDLE_CACHE.keys()) await BUNDLE_CACHE.delete(key);
}

/** Runs `task` holding the bundle's Web Lock, so two tabs (or a load and a delete) never write the same files at once. */
export function withBundleLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  return BUNDLE_CACHE.withLock(key, task);
}
