import { readFolderManifest } from '../../core/bundle/readManifest.ts';
import { AppError } from '../../core/errors.ts';
import { sizeMismatch } from './downloadFile.ts';
import { notLoaded, selectedSpecs, type LoadBundleOptions, type LoadedBundle } from './loadTypes.ts';
import type { LocalFolder } from '../../core/bundle/localFolder.ts';
import { createProgressTracker } from './progressTracker.ts';
import { sha256Hex } from '../../core/sha256.ts';

/**
 * A bundle read in place from the user's disk. Nothing is downloaded or copied. Sizes are checked up front;
 * sha256 is checked as each file is read (a folder can be half-copied), on the bytes already read for the
 * engine, so verifying costs no second pass over gigabytes.
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
  return {
    manifest,
    label: folder.name,
    files: specs.map((spec) => spec.path),
    cacheKey: null,
    bytesDownloaded: 0,
    async read(path) {
      const file = files.get(path);
      const spec = specs.find((candidate) => candidate.path === path);
      if (file === undefined || spec === undefined) throw notLoaded(path, label);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (cause) {
        throw new AppError('BUNDLE_FILE_MISSING', `${path} in ${label} can no longer be read (${(cause as Error).name}).`, {
          hint: 'The file was moved, changed or deleted after the folder was chosen: choose the folder again.',
          cause,
        });
      }
      if (!verified.has(path)) {
        const digest = await sha256Hex(bytes);
        if (digest !== spec.sha256) {
          throw new AppError('BUNDLE_HASH_MISMATCH', `${path} in ${label}: its sha256 is ${digest}, but the manifest says ${spec.sha256}.`, {
            hint: 'The file is damaged or was copied only in part: copy the bundle again.',
          });
        }
        verified.add(path);
      }
      return bytes;
    },
  };
}
