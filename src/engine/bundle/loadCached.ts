import { parseManifest, type BundleManifest, type FileSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { BUNDLE_CACHE, readBundleIndex, readManifestText, writeBundleIndex, writeManifestText, type CacheIndex } from './bundleCache.ts';
import type { OpfsEntry } from './opfsCache.ts';
import { bundleFileUrl } from '../../core/bundle/bundleUrl.ts';
import { downloadFile, sizeMismatch } from './downloadFile.ts';
import { notLoaded, type LoadBundleOptions, type LoadedBundle } from './loadTypes.ts';
import { opfsStoredFile, readOpfsFile } from './opfsFile.ts';
import { createProgressTracker } from './progressTracker.ts';
import { checkQuota, quotaError } from './quota.ts';
import { resumeOffset } from './resumePlan.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { blobSha256, blobSlices, canReadBlobsInSlices, wrapErrors } from './blobSlices.ts';
import { opfsSyncSlices } from './opfsSlices.ts';

/**
 * Brings the chosen files of a URL's bundle into the cache (downloading only what is missing, resuming
 * partial files) and opens them. Call it holding the bundle's lock (`withBundleLock`).
 */
export async function downloadIntoCache(
  prefix: string,
  manifestText: string,
  manifest: BundleManifest,
  key: string,
  specs: readonly FileSpec[],
  options: LoadBundleOptions,
): Promise<LoadedBundle> {
  const entry = (await BUNDLE_CACHE.entry(key, true))!;
  const index = await readBundleIndex(entry);
  index.sources = [prefix, ...index.sources.filter((source) => source !== prefix)];
  index.lastUsedAt = new Date().toISOString();
  await writeManifestText(entry, manifestText);
  await writeBundleIndex(entry, index);

  // 1. What the cache already holds: verified files are trusted by size; the rest resume from what is stored.
  const pending: Array<{ spec: FileSpec; storedBytes: number }> = [];
  const cached = new Set<string>();
  for (const spec of specs) {
    const storedBytes = await entry.storedSize(spec.path);
    if (index.verified[spec.path] === spec.sha256 && storedBytes === spec.bytes) cached.add(spec.path);
    else pending.push({ spec, storedBytes });
  }

  // 2. Room for the rest, before the first byte.
  const bytesNeeded = pending.reduce((sum, { spec, storedBytes }) => sum + spec.bytes - resumeOffset(storedBytes, spec.bytes), 0);
  const estimate = bytesNeeded > 0 ? await navigator.storage.estimate?.() : undefined;
  checkQuota(bytesNeeded, estimate);
  // Persistent storage is the page's to ask for (workers have no `persist`): see src/ui/model/loadModel.ts.

  // 3. Download in manifest order; each verified file is recorded at once, so an interrupted load keeps it.
  const tracker = createProgressTracker(specs, (event) => options.onProgress?.(event), { intervalMs: options.progressIntervalMs ?? 100 });
  for (const spec of specs) if (cached.has(spec.path)) tracker.fromCache(spec.path);
  let bytesDownloaded = 0;
  for (const { spec } of pending) {
    delete index.verified[spec.path];
    const handle = (await entry.file(spec.path, true))!;
    try {
      await downloadFile(bundleFileUrl(prefix, spec.path), spec, opfsStoredFile(handle), {
        fetch: (input, init) => fetch(input, init),
        maxAttempts: options.maxAttempts ?? 5,
        retryBaseMs: options.retryBaseMs ?? 500,
        stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onStart: (storedBytes) => tracker.start(spec.path, storedBytes),
        onBytes: (delta) => {
          if (delta > 0) bytesDownloaded += delta;
          tracker.add(spec.path, delta);
        },
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'BUNDLE_HASH_MISMATCH') await entry.removeFile(spec.path);
      if (error instanceof AppError && error.code === 'STORAGE_QUOTA_EXCEEDED') {
        const left = bytesNeeded - bytesDownloaded;
        const now = await navigator.storage.estimate?.();
        throw quotaError(left, now?.quota === undefined ? null : Math.max(0, now.quota - (now.usage ?? 0)), error);
      }
      throw error;
    }
    index.verified[spec.path] = spec.sha256;
    await writeBundleIndex(entry, index);
    tracker.done(spec.path);
  }
  return cachedBundleFiles(entry, manifest, specs, prefix, bytesDownloaded, options.verifyCached === true);
}

/** Opens a bundle from the cache alone; every chosen file must be there, verified. */
export async function openFromCache(
  key: string,
  specsOf: (manifest: BundleManifest) => readonly FileSpec[],
  options: LoadBundleOptions,
  label?: string,
): Promise<LoadedBundle> {
  if (!/^[0-9a-f]{32}$/.test(key)) throw new AppError('BAD_ARGUMENTS', `"${key}" is not a cache key (32 hex digits).`);
  const entry = await BUNDLE_CACHE.entry(key, false);
  const text = entry === null ? null : await readManifestText(entry);
  if (entry === null || text === null) {
    throw new AppError('BUNDLE_NOT_FOUND', `No model is cached under ${key}.`, {
      hint: 'It may have been deleted, or the browser cleared this site’s storage: load it from its URL again.',
    });
  }
  const manifest = parseManifest(JSON.parse(text), `cached ${key}/manifest.json`);
  const specs = specsOf(manifest);
  const index = await readBundleIndex(entry);
  for (const spec of specs) {
    if (index.verified[spec.path] !== spec.sha256 || (await entry.storedSize(spec.path)) !== spec.bytes) {
      const from = index.sources[0];
      throw new AppError('BUNDLE_FILE_MISSING', `${spec.path} of ${manifest.model.name} is not in the cache: its download did not finish.`, {
        hint: from === undefined ? 'Load the model from its URL again.' : `Load it from ${from} again: the download resumes where it stopped.`,
      });
    }
  }
  index.lastUsedAt = new Date().toISOString();
  await writeBundleIndex(entry, index);
  const tracker = createProgressTracker(specs, (event) => options.onProgress?.(event));
  for (const spec of specs) tracker.fromCache(spec.path);
  return cachedBundleFiles(entry, manifest, specs, label ?? index.sources[0] ?? 'the cache', 0, options.verifyCached === true);
}

function cachedBundleFiles(
  entry: OpfsEntry,
  manifest: BundleManifest,
  specs: readonly FileSpec[],
  label: string,
  bytesDownloaded: number,
  verify: boolean,
): LoadedBundle {
  const byPath = new Map(specs.map((spec) => [spec.path, spec]));
  const verifiedNow = new Set<string>();
  const located = async (path: string) => {
    const spec = byPath.get(path);
    if (spec === undefined) throw notLoaded(path, label);
    const handle = await entry.file(path, false);
    if (handle === null) throw evicted(path, label);
    return { spec, handle };
  };
  const checkDigest = async (path: string, spec: FileSpec, digest: string) => {
    if (digest !== spec.sha256) {
      await forget(entry, path);
      throw new AppError('BUNDLE_HASH_MISMATCH', `${path} in the cache: its sha256 is ${digest}, but the manifest says ${spec.sha256}.`, {
        hint: 'The cached copy is damaged; it has been removed. Load the model again to download the file again.',
      });
    }
    verifiedNow.add(path);
  };
  const loaded: LoadedBundle = {
    manifest,
    label,
    files: specs.map((spec) => spec.path),
    cacheKey: entry.key,
    bytesDownloaded,
    async read(path) {
      const { spec, handle } = await located(path);
      // The only copy in JS memory: the caller's. Nothing here keeps a reference.
      const bytes = await readOpfsFile(handle);
      if (bytes.byteLength !== spec.bytes) throw sizeMismatch(spec, 'the cache', bytes.byteLength);
      if (verify && !verifiedNow.has(path)) await checkDigest(path, spec, await sha256Hex(bytes));
      return bytes;
    },
  };
  // In a worker, external-data chunks are read in parts straight from the OPFS file, through a sync access handle
  // (verified as a stream first when cached files are verified).
  if (canReadBlobsInSlices()) {
    loaded.openSlices = async (path) => {
      const { spec, handle } = await located(path);
      const file = await handle.getFile();
      if (file.size !== spec.bytes) throw sizeMismatch(spec, 'the cache', file.size);
      if (verify && !verifiedNow.has(path)) await checkDigest(path, spec, await blobSha256(file));
      const sync = await opfsSyncSlices(handle, spec.bytes);
      return sync === null ? blobSlices(file, () => evicted(path, label)) : wrapErrors(sync, () => evicted(path, label));
    };
  }
  return loaded;
}

function evicted(path: string, label: string): AppError {
  return new AppError('BUNDLE_FILE_MISSING', `${path} of the model from ${label} is no longer in the cache.`, {
    hint: 'The cached model was deleted (here or in another tab) or the browser cleared site storage: load it again.',
  });
}

async function forget(entry: OpfsEntry, path: string): Promise<void> {
  const index: CacheIndex = await readBundleIndex(entry);
  delete index.verified[path];
  await writeBundleIndex(entry, index);
  await entry.removeFile(path);
}
