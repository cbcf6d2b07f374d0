import { embedderRoot, embedderUrlFromQuery } from '../../core/embedder/embedderFiles.ts';
import { MANIFEST_FILE } from '../../core/bundle/localFolder.ts';
import type { LocalFile } from '../../core/bundle/localFolder.ts';
import type { CachedEmbedder } from '../../core/engine/embedder.ts';
import { serializeError } from '../../core/errors.ts';
import { useEmbedderStore } from '../../state/useEmbedderStore.ts';
import { pageEngine } from '../../client/engine.ts';
import { folderLabel } from './folderLabel.ts';

/**
 * The sentence model's actions in the model panel and the answer's chip: download from a URL prefix, read a folder,
 * open a cached copy, delete one. Outcomes go to the embedder store, never thrown.
 */

/** The URL field's first value: `?embedder=`, else the build's `VITE_EMBEDDER_URL`, else the public all-MiniLM-L6-v2. */
export function defaultEmbedderUrl(): string {
  return embedderUrlFromQuery(window.location.search, import.meta.env.VITE_EMBEDDER_URL as string | undefined);
}

export async function loadEmbedderFromUrl(url: string): Promise<void> {
  await pageEngine.loadEmbedder({ kind: 'url', url }, url);
  await refreshEmbedderCache();
}

export async function loadEmbedderFromFolder(files: ReadonlyArray<File | LocalFile>): Promise<void> {
  // Paths travel beside the files: a File's webkitRelativePath does not survive the copy into the worker.
  const withPaths = files.map((entry) => (entry instanceof File ? { path: entry.webkitRelativePath || entry.name, file: entry } : entry));
  await pageEngine.loadEmbedder({ kind: 'files', files: withPaths }, folderLabel(files));
}

/** A dropped folder that holds the sentence model and no bundle (whose manifest.json would say it is a bundle). */
export function isEmbedderFolder(files: ReadonlyArray<LocalFile>): boolean {
  const paths = files.map((entry) => entry.path.replace(/^\/+/, ''));
  return !paths.some((path) => path === MANIFEST_FILE || path.endsWith(`/${MANIFEST_FILE}`)) && embedderRoot(paths) !== null;
}

export async function loadCachedEmbedder(copy: CachedEmbedder): Promise<void> {
  await pageEngine.loadEmbedder({ kind: 'cache', key: copy.key }, `${copy.url} (cached)`);
  await refreshEmbedderCache();
}

/**
 * What the answer's "Get the sentence model" does: a complete cached copy is opened (nothing downloaded), else the
 * URL in the panel's field is downloaded (the field shows where from; the panel shows the progress).
 */
export async function getEmbedder(): Promise<void> {
  const cached = useEmbedderStore.getState().cached ?? (await refreshEmbedderCache());
  const copy = cached.find((entry) => entry.complete);
  if (copy !== undefined) return loadCachedEmbedder(copy);
  const { url } = useEmbedderStore.getState();
  return loadEmbedderFromUrl(url.trim() === '' ? defaultEmbedderUrl() : url.trim());
}

/**
 * After a model is loaded: the sentence model used last comes back from the cache with it (no download), as a
 * user who loaded it once expects of the next visit. Only when none is loaded or loading in this page.
 */
export async function reopenCachedEmbedder(): Promise<void> {
  if (useEmbedderStore.getState().status !== 'none') return;
  const copy = (await refreshEmbedderCache()).find((entry) => entry.complete);
  if (copy !== undefined && useEmbedderStore.getState().status === 'none') await loadCachedEmbedder(copy);
}

export async function deleteCachedEmbedder(key: string): Promise<void> {
  try {
    await pageEngine.deleteCachedEmbedder(key);
  } catch (error) {
    useEmbedderStore.getState().setCacheError(serializeError(error));
  }
  await refreshEmbedderCache();
}

/** The cache's copies, listed into the store (and returned); [] when the cache cannot be read (the store says why). */
export async function refreshEmbedderCache(): Promise<CachedEmbedder[]> {
  try {
    const cached = await pageEngine.cachedEmbedders();
    useEmbedderStore.getState().setCache(cached);
    return cached;
  } catch (error) {
    useEmbedderStore.getState().setCacheError(serializeError(error));
    return [];
  }
}
