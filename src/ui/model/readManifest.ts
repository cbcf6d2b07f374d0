import type { BundleManifest } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { fetchManifest, readFolderManifest as readManifestOf } from '../../core/bundle/readManifest.ts';
import type { CachedBundle } from '../../core/engine/api.ts';
import { folderFromFiles, type LocalFile } from '../../core/bundle/localFolder.ts';

/**
 * The manifest of a chosen source, before anything else is read or downloaded: for a URL only manifest.json
 * is fetched (a few KB), for a folder only its manifest.json is read. The engine validates it again on load.
 */

/** A folder's manifest.json, found where the loader finds it (the shallowest one). */
export function readFolderManifest(files: ReadonlyArray<File | LocalFile>): Promise<BundleManifest> {
  return readManifestOf(folderFromFiles(files));
}

/** A URL's manifest as read: fetched from the server, or, offline, a cached copy downloaded from that URL. */
export type UrlManifest = { kind: 'fetched'; manifest: BundleManifest } | { kind: 'offline'; copy: CachedBundle };

/**
 * A URL's manifest.json. When the server cannot be reached, a complete cached copy from that URL is offered
 * instead; without one, the error says that the browser is offline (when it is) and that nothing is cached.
 */
export async function readUrlManifest(url: string, cached: () => Promise<CachedBundle[]>): Promise<UrlManifest> {
  let fetched;
  try {
    fetched = await fetchManifest(url, {
      base: window.location.href,
      offline: async (prefix) => (await cached().catch(() => [])).find((bundle) => bundle.sources.includes(prefix)) ?? null,
    });
  } catch (error) {
    if (navigator.onLine || !(error instanceof AppError) || error.code !== 'BUNDLE_DOWNLOAD_FAILED') throw error;
    throw new AppError('BUNDLE_DOWNLOAD_FAILED', `This browser is offline, and no copy of ${url} is cached here.`, {
      hint: 'Connect to the network to download it, or open a model from a folder or from the cached models below.',
      cause: error,
    });
  }
  if (fetched.kind === 'fetched') return { kind: 'fetched', manifest: fetched.manifest };
  if (fetched.copy.completeVariants.length === 0) {
    throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${fetched.prefix} cannot be reached${navigator.onLine ? '' : ' (this browser is offline)'}, and its cached copy is incomplete.`, {
      hint: 'Connect to the network: loading it again resumes the download where it stopped.',
    });
  }
  return { kind: 'offline', copy: fetched.copy };
}
