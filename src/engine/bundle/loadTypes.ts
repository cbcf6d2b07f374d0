import type { BundleFiles, LoadProgress } from '../../core/bundle/bundleFiles.ts';
import type { BundleManifest, FileSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';

export interface LoadBundleOptions {
  /** The files this load makes readable, chosen once the manifest is valid (e.g. `variantFiles(m, 'q4')`). Default: all. */
  selectFiles?: (manifest: BundleManifest) => readonly string[];
  onProgress?: (progress: LoadProgress) => void;
  /** Stops the download; the bytes stored so far are kept for the next load to resume from. */
  signal?: AbortSignal;
  /** Hash cached files again as `read` hands them out (normally a cached file is trusted by its size and index entry). */
  verifyCached?: boolean;
  /** When a URL's manifest cannot be fetched at all (offline), open that URL's bundle from the cache. Default true. */
  offlineFallback?: boolean;
  /** Attempts in a row without a new byte before a file's download fails. Default 5. */
  maxAttempts?: number;
  /** First pause between attempts, doubling after each. Default 500 ms. */
  retryBaseMs?: number;
  /** A connection that delivers nothing for this long counts as dropped. Default 30 s. */
  stallTimeoutMs?: number;
  /** At most one progress event per this many ms while bytes arrive. Default 100 ms. */
  progressIntervalMs?: number;
}

/** A loaded bundle: the engine's `BundleFiles`, plus what the UI shows about the load. */
export interface LoadedBundle extends BundleFiles {
  /** The files `read` serves: the selection, in manifest order. */
  files: readonly string[];
  /** The cache's key for the bundle; null for a local folder (read in place, not copied). */
  cacheKey: string | null;
  /** Bytes this load fetched over the network (0 when everything was cached). */
  bytesDownloaded: number;
}

/** The manifest entries of the chosen files, in manifest order; an unknown path is a programming error. */
export function selectedSpecs(manifest: BundleManifest, selectFiles: LoadBundleOptions['selectFiles']): FileSpec[] {
  if (selectFiles === undefined) return manifest.files;
  const chosen = new Set(selectFiles(manifest));
  const known = new Set(manifest.files.map((file) => file.path));
  for (const path of chosen) {
    if (!known.has(path)) throw new AppError('INTERNAL', `selectFiles chose ${path}, which the manifest does not list.`);
  }
  return manifest.files.filter((file) => chosen.has(file.path));
}

/** The `read` of a path outside the load. */
export function notLoaded(path: string, label: string): AppError {
  return new AppError('BUNDLE_FILE_MISSING', `${path} is not part of the bundle loaded from ${label}.`, {
    hint: 'The engine asked for a file of another variant: load the bundle again with that variant.',
  });
}
