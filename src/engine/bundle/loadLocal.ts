import { readFolderManifest } from '../../core/bundle/readManifest.ts';
import { AppError } from '../../core/errors.ts';
import { sizeMismatch } from './downloadFile.ts';
import { notLoaded, selectedSpecs, type LoadBundleOptions, type LoadedBundle } from './loadTypes.ts';
import type { LocalFolder } from '../../core/bundle/localFolder.ts';
import { createProgressTracker } from './progressTracker.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { blobSha256, blobSlices, canReadBlobsInSlices, wrapErrors } from './blobSlices.ts';
import { opfsSyncSlices } from './opfsSlices.ts';

/**
 * A bundle read in place from the user's disk. Nothing is downloaded or copied. Sizes are checked up front;
 * sha256 is checked as each file is read (a folder can be half-copied): on the bytes already read for the engine
 * when a file is read whole, as a stream before a file is read in parts (`openSlices`, in a worker).
 */
export async function loadLocal(folder: LocalFolder, options: LoadBundleOptions): Promise<LoadedBundle> {
  const label = `the folder "${folder.name}"`;
  const manifest = await readFolderManifest(folder);
  const specs = selectedSpecs(manifest, options.selectFiles);

  // 1. Every chosen file is there with the manifest's size, before the engine starts on any of them.
  const files = new Map<string, File>();
  for (const spec of specs) {
    options.signal?.throwIfAborted();
    const file = await folder.file(spec.path);
    if (file === null) {
      throw new AppError('BUNDLE_FILE_MISSING', `${spec.path} is missing from ${label}.`, {
        hint: 'Copy the whole bundle folder: every file the manifest lists must be there.',
      });
    }
    if (file.size !== spec.bytes) throw sizeMismatch(spec, label, file.size);
    files.set(spec.path, file);
  }
  const tracker = createProgressTracker(specs, (event) => options.onProgress?.(event));
  for (const spec of specs) tracker.fromCache(spec.path);

  // 2. Reads verify once per load: the same bytes read twice need not be hashed twice.
  const verified = new Set<string>();
  const located = (path: string) => {
    const file = files.get(path);
    const spec = specs.find((candidate) => candidate.path === path);
    if (file === undefined || spec === undefined) throw notLoaded(path, label);
    return { file, spec };
  };
  const unreadable = (path: string) => (cause: unknown) =>
    new AppError('BUNDLE_FILE_MISSING', `${path} in ${label} can no longer be read (${(cause as Error).name}).`, {
      hint: 'The file was moved, changed or deleted after the folder was chosen: choose the folder again.',
      cause,
    });
  const checkDigest = (path: string, digest: string) => {
    const { spec } = located(path);
    if (digest !== spec.sha256) {
      throw new AppError('BUNDLE_HASH_MISMATCH', `${path} in ${label}: its sha256 is ${digest}, but the manifest says ${spec.sha256}.`, {
        hint: 'The file is damaged or was copied only in part: copy the bundle again.',
      });
    }
    verified.add(path);
  };
  const loaded: LoadedBundle = {
    manifest,
    label: folder.name,
    files: specs.map((spec) => spec.path),
    cacheKey: null,
    bytesDownloaded: 0,
    async read(path) {
      const { file } = located(path);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (cause) {
        throw unreadable(path)(cause);
      }
      if (!verified.has(path)) checkDigest(path, await sha256Hex(bytes));
      return bytes;
    },
  };
  // In a worker, external-data chunks are read in parts: verified as a stream first (a second pass over the
  // file from the disk cache, instead of holding it whole to hash the bytes the engine reads).
  if (canReadBlobsInSlices()) {
    loaded.openSlices = async (path) => {
      const { file } = located(path);
      if (!verified.has(path)) checkDigest(path, await blobSha256(file).catch((cause: unknown) => Promise.reject(unreadable(path)(cause))));
      // A folder in OPFS has sync access handles; others are read as Files.
      const handle = await folder.fileHandle?.(path);
      const sync = handle ? await opfsSyncSlices(handle, file.size) : null;
      return sync === null ? blobSlices(file, unreadable(path)) : wrapErrors(sync, unreadable(path));
    };
  }
  return loaded;
}
