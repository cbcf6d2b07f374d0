import type { BundleManifest } from '../../core/bundle/manifest.ts';
import { fetchManifest } from '../../core/bundle/readManifest.ts';
import { listCachedBundles, withBundleLock } from './bundleCache.ts';
import { bundleCacheKey } from './cacheKey.ts';
import { downloadIntoCache, openFromCache } from './loadCached.ts';
import { loadLocal } from './loadLocal.ts';
import { folderFromFiles } from '../../core/bundle/localFolder.ts';
import { folderFromHandle } from './folderFromHandle.ts';
import type { BrowserBundleSource } from '../../core/engine/load.ts';
import { selectedSpecs, type LoadBundleOptions, type LoadedBundle } from './loadTypes.ts';

// The loader's public surface, in one place (rules the page shares with it, e.g. variant files, live in src/core/bundle).
export type { LoadBundleOptions, LoadedBundle } from './loadTypes.ts';
export { clearBundleCache, deleteCachedBundle, listCachedBundles, type CachedBundleInfo } from './bundleCache.ts';

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
  // 1. The manifest, always from the network; a server out of reach falls back to a copy cached from the same URL.
  const fetched = await fetchManifest(url, {
    base: globalThis.location?.href,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.offlineFallback === false ? {} : { offline: cachedFrom }),
  });
  if (fetched.kind === 'offline') {
    const key = fetched.copy;
    return withBundleLock(key, () => openFromCache(key, (manifest) => selectedSpecs(manifest, options.selectFiles), options, `${fetched.prefix} (offline copy)`));
  }
  const specs = selectedSpecs(fetched.manifest, options.selectFiles);

  // 2. Download what the cache lacks, holding the bundle's lock so two tabs never write the same files.
  const key = await bundleCacheKey(fetched.manifest);
  return withBundleLock(key, () => downloadIntoCache(fetched.prefix, fetched.text, fetched.manifest, key, specs, options));
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
