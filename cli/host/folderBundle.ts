/**
 * A bundle in a local folder as the engine's `BundleFiles`, for the Node tools and tests: the manifest is
 * validated with the app's own schema, every listed file is checked for presence and size up front, and each
 * file's sha256 is checked when it is read (read whole, opened for reads in parts, or handed to onnxruntime-node
 * by its path).
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BundleFiles, FileSlices, LoadProgress } from '../../src/core/bundle/bundleFiles.ts';
import type { BundleManifest, FileSpec } from '../../src/core/bundle/manifest.ts';
import { parseManifestText } from '../../src/core/bundle/readManifest.ts';
import { AppError } from '../../src/core/errors.ts';

export interface FolderBundleOptions {
  /** Check each file's sha256 as it is read (default true). */
  verify?: boolean;
  onProgress?: (progress: LoadProgress) => void;
}

/** A bundle folder's manifest.json, parsed and validated as the app validates it. */
export async function readBundleManifest(dir: string): Promise<BundleManifest> {
  const manifestPath = join(resolve(dir), 'manifest.json');
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    throw new AppError('BUNDLE_NOT_FOUND', `${manifestPath}: no manifest.json in this folder`, {
      hint: 'Point at the folder that `npm run convert` wrote.',
      cause,
    });
  }
  return parseManifestText(text, manifestPath, 'Convert the model again.');
}

export async function openFolderBundle(dir: string, options: FolderBundleOptions = {}): Promise<BundleFiles> {
  const folder = resolve(dir);
  const manifest = await readBundleManifest(folder);

  // Presence and size of every file before anything is loaded, so a broken folder fails at once.
  for (const file of manifest.files) await checkPresentWithSize(join(folder, file.path), file);

  const specs = new Map(manifest.files.map((file) => [file.path, file]));
  const bytesTotal = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  let bytesLoaded = 0;
  const located = (path: string) => {
    const spec = specs.get(path);
    if (spec === undefined) throw new AppError('INTERNAL', `${path} is not listed in ${join(folder, 'manifest.json')}`);
    return { spec, full: join(folder, path) };
  };
  const checkDigest = (full: string, spec: FileSpec, actual: string) => {
    if (actual !== spec.sha256) {
      throw new AppError('BUNDLE_HASH_MISMATCH', `${full}: sha256 ${actual.slice(0, 12)}… differs from manifest.json's ${spec.sha256.slice(0, 12)}…`, {
        hint: 'The file is damaged: copy the bundle again, or convert the model again.',
      });
    }
  };
  // Verified as a stream: the file is never held whole.
  const checkStreamDigest = async (full: string, spec: FileSpec) => {
    if (options.verify === false) return;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(full, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
    checkDigest(full, spec, hash.digest('hex'));
  };
  const loaded = (path: string, spec: FileSpec) => {
    bytesLoaded += spec.bytes;
    options.onProgress?.({ file: path, fileBytesLoaded: spec.bytes, fileBytesTotal: spec.bytes, bytesLoaded, bytesTotal, bytesPerSecond: 0, etaSeconds: null, fromCache: true });
  };
  return {
    manifest,
    label: folder,
    async read(path: string): Promise<Uint8Array> {
      const { spec, full } = located(path);
      const bytes = new Uint8Array(await readFile(full));
      if (options.verify !== false) checkDigest(full, spec, createHash('sha256').update(bytes).digest('hex'));
      loaded(path, spec);
      return bytes;
    },
    async openSlices(path: string): Promise<FileSlices> {
      const { spec, full } = located(path);
      await checkStreamDigest(full, spec);
      const fd = openSync(full, 'r');
      let open = true;
      loaded(path, spec);
      return {
        byteLength: spec.bytes,
        reader: 'node-fs',
        read(offset, length) {
          if (!open) throw new AppError('INTERNAL', `${full} was read after it was closed`);
          const bytes = new Uint8Array(length);
          for (let done = 0; done < length; ) {
            const got = readSync(fd, bytes, done, length - done, offset + done);
            if (got === 0) throw new AppError('BUNDLE_FILE_SIZE_MISMATCH', `${full} ended at byte ${offset + done}, before ${offset + length}`, { hint: 'The file changed while it was read: copy the bundle again.' });
            done += got;
          }
          return bytes;
        },
        close() {
          if (open) closeSync(fd);
          open = false;
        },
      };
    },
    async localPath(path: string): Promise<string> {
      const { spec, full } = located(path);
      // Checked again: the runtime reads the file itself after this, and the folder may have changed since it opened.
      await checkPresentWithSize(full, spec);
      await checkStreamDigest(full, spec);
      loaded(path, spec);
      return full;
    },
  };
}

async function checkPresentWithSize(full: string, spec: FileSpec): Promise<void> {
  const size = await stat(full).then(
    (info) => info.size,
    () => null,
  );
  if (size === null) {
    throw new AppError('BUNDLE_FILE_MISSING', `${full}: listed in manifest.json but missing`, { hint: 'Copy the whole bundle folder, or convert the model again.' });
  }
  if (size !== spec.bytes) {
    throw new AppError('BUNDLE_FILE_SIZE_MISMATCH', `${full}: ${size} bytes, but manifest.json says ${spec.bytes}`, {
      hint: 'The file is truncated or was replaced: copy the bundle again, or convert the model again.',
    });
  }
}
