import { parseManifest, type BundleManifest } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { listCachedBundles, withBundleLock } from './bundleCache.ts';
import { bundleFileUrl, normalizeBundleUrl } from '../../core/bundle/bundleUrl.ts';
import { bundleCacheKey } from './cacheKey.ts';
import { downloadIntoCache, openFromCache } from './loadCached.ts';
import { loadLocal } from './loadLocal.ts';
import { folderFromFiles } from '../../core/bundle/localFolder.ts';
import { folderFromHandle } from './folderFromHandle.ts';
import type { BrowserBundleSource } from '../../core/engine/types.ts';
import { selectedSpecs, type LoadBundleOptions, type LoadedBundle } from './loadTypes.ts';

// The loader's public surface, in one place (rules the page shares with it, e.g. variant files, live in src/core/bundle).
export type { LoadBundleOptions, LoadedBundle } from './loadTypes.ts';
export { clearBundleCache, deleteCachedBundle, listCachedBundles, type CachedBundleInfo } from './bundleCache.ts';
export { requestPersistentStorage } from './loadCached.ts';

/**
 * Opens a web bundle from any source: validates its manifest, makes the chosen files available (downloaded
 * into the cache and verified, or read in place from a local folder) and reports progress on the way.
 * Works on the page and in a worker.
 */
export async function loadBundle(source: BrowserBundleSource, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const specsOf = (manifest: BundleManifest) => selectedSpecs(manifest, options.selectFiles);
  switch (source.kind) {
    case 'url':
      return loadFromUrl(source.url, options);
    case 'directory':
      return loadLocal(await folderFromHandle(source.handle), options);
    case 'files':
      return loadLocal(folderFromFiles(source.files), options);
    case 'cache':
      return withBundleLock(source.key, () => openFromCache(source.key, specsOf, options));
  }
}

async function loadFromUrl(url: string, options: LoadBundleOptions): Promise<LoadedBundle> {
  const prefix = normalizeBundleUrl(url, globalThis.location?.href);
  const manifestUrl = bundleFileUrl(prefix, 'manifest.json');

  // 1. The manifest, always from the network (`no-cache` revalidates), so a re-converted bundle is noticed.
  let response: Response;
  try {
    response = await fetch(manifestUrl, { cache: 'no-cache', ...(options.signal === undefined ? {} : { signal: options.signal }) });
  } catch (cause) {
    options.signal?.throwIfAborted();
    const offline = options.offlineFallback === false ? null : await cachedFrom(prefix);
    if (offline !== null) {
      return withBundleLock(offline, () => openFromCache(offline, (manifest) => selectedSpecs(manifest, options.selectFiles), options, `${prefix} (offline copy)`));
    }
    throw new AppError('BUNDLE_DOWNLOAD_FAILED', `Could not reach ${manifestUrl}: ${(cause as Error).message || 'network error'}.`, {
      hint: 'Check the connection and the URL. A server on another site must allow this page with CORS (Access-Control-Allow-Origin).',
      cause,
    });
  }
  if (response.status === 404 || response.status === 410) {
    throw new AppError('BUNDLE_NOT_FOUND', `No bundle at ${prefix}: ${manifestUrl} answered ${response.status} Not Found.`, {
      hint: 'Give the folder that holds manifest.json (on Hugging Face, the …/resolve/main/ address).',
    });
  }
  if (!response.ok) {
    throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${manifestUrl} answered HTTP ${response.status}.`, {
      hint: 'The server refused the request: check that the bundle is public, or try again later.',
    });
  }
  const manifestText = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(manifestText);
  } catch (cause) {
    throw new AppError('MANIFEST_INVALID', `${manifestUrl} is not JSON: ${(cause as Error).message}.`, {
      hint: 'The URL may point at a web page rather than the bundle folder (on Hugging Face, use …/resolve/main/).',
      cause,
    });
  }
  const manifest = parseManifest(json, manifestUrl);
  const specs = selectedSpecs(manifest, options.selectFiles);

  // 2. Download what the cache lacks, holding the bundle's lock so two tabs never write the same files.
  const key = await bundleCacheKey(manifest);
  return withBundleLock(key, () => downloadIntoCache(prefix, manifestText, manifest, key, specs, options));
}

/** The most recently used cached bundle downloaded from `prefix`, if any. */
async function cachedFrom(prefix: string): Promise<string | null> {
  try {
    const bundles = await listCachedBundles();
    return bundles.find((bundle) => bundle.sources.includes(prefix))?.key ?? null;
  } catch {
    return null;
  }
}
