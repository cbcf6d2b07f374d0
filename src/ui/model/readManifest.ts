import type { BundleManifest } from '../../core/bundle/manifest.ts';
import { fetchManifest, readFolderManifest as readManifestOf } from '../../core/bundle/readManifest.ts';
import type { CachedBundle } from '../../core/engineApi.ts';
import { folderFromFiles, type LocalFile } from '../../core/bundle/localFolder.ts';

/**
 * The manifest of a chosen source, before anything else is read or downloaded: for a URL only manifest.json
 * is fetched (a few KB), for a folder only its manifest.json is read. The engine validates it again on load.
 */

/** A folder's manifest.json, found where the loader finds it (the shallowest one). */
export function readFolderManifest(files: ReadonlyArray<File | LocalFile>): Promise<BundleManifest> {
  return readManifestOf(folderFromFiles(files));
}

/**
 * A URL's manifest.json. When the server cannot be reached, the manifest of a cached copy from that URL serves
 * instead (the engine then opens that copy).
 */
export async function readUrlManifest(url: string, cached: () => Promise<CachedBundle[]>): Promise<BundleManifest> {
  const fetched = await fetchManifest(url, {
    base: window.location.href,
    offline: async (prefix) => (await cached().catch(() => [])).find((bundle) => bundle.sources.includes(prefix)) ?? null,
  });
  return fetched.kind === 'offline' ? fetched.copy.manifest : fetched.manifest;
}
