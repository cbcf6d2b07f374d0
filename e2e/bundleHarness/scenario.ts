import { serializeError } from '../../src/core/errors.ts';
import { clearBundleCache, deleteCachedBundle, listCachedBundles } from '../../src/engine/bundle/bundleCache.ts';
import { loadBundle } from '../../src/engine/bundle/loadBundle.ts';
import type { BrowserBundleSource } from '../../src/core/engine/load.ts';
import type { LoadBundleOptions } from '../../src/engine/bundle/loadTypes.ts';
import { createSha256, sha256Hex } from '../../src/core/sha256.ts';
import { variantFiles } from '../../src/core/bundle/variantFiles.ts';
import { LOADER_SETTINGS, type LoadRequest, type LoadResult } from './protocol.ts';

/** Runs one load as the engine would, on the page or in a worker, and reports everything a test checks. */
export async function runLoad(request: LoadRequest, picked: readonly File[]): Promise<LoadResult> {
  if (request.estimate !== undefined) {
    const estimate = request.estimate;
    navigator.storage.estimate = async () => estimate;
  }
  const result: LoadResult = { events: [], syncAccess: 'createSyncAccessHandle' in FileSystemFileHandle.prototype };
  const reports: Array<Promise<void>> = [];
  const options: LoadBundleOptions = {
    onProgress: (event) => {
      result.events.push(event);
      if (request.storedUrl !== undefined && !event.fromCache) reports.push(reportStored(request.storedUrl, event.file, event.fileBytesLoaded));
    },
    ...(request.variant === undefined ? {} : { selectFiles: (manifest) => variantFiles(manifest, request.variant!) }),
    ...pick(request, LOADER_SETTINGS),
  };
  const started = performance.now();
  let bundle;
  try {
    bundle = await loadBundle(await sourceOf(request, picked), options);
  } catch (error) {
    result.error = serializeError(error);
    await Promise.all(reports);
    return result;
  }
  await Promise.all(reports);
  result.elapsedMs = performance.now() - started;
  Object.assign(result, { label: bundle.label, cacheKey: bundle.cacheKey, files: [...bundle.files], bytesDownloaded: bundle.bytesDownloaded });
  const toRead = request.read === 'all' ? bundle.files : (request.read ?? []);
  result.reads = [];
  try {
    for (const path of toRead) {
      const bytes = await bundle.read(path);
      result.reads.push({ path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
    }
    result.inParts = bundle.openSlices !== undefined;
    result.partReads = [];
    for (const path of request.readInParts ?? []) {
      if (bundle.openSlices === undefined) break;
      const slices = await bundle.openSlices(path);
      const hasher = await createSha256();
      let parts = 0;
      for (let offset = 0; offset < slices.byteLength; offset += PART_BYTES, parts++) {
        hasher.update(slices.read(offset, Math.min(PART_BYTES, slices.byteLength - offset)));
      }
      slices.close();
      result.partReads.push({ path, bytes: slices.byteLength, sha256: hasher.digestHex(), parts, reader: slices.reader ?? null });
    }
  } catch (error) {
    result.readError = serializeError(error);
  }
  return result;
}

const PART_BYTES = 64 * 1024;

/** Tells the bundle server how many bytes of `path` the loader has stored (what a 'drop' fault waits for). */
async function reportStored(storedUrl: string, path: string, bytes: number): Promise<void> {
  const response = await fetch(`${storedUrl}?path=${encodeURIComponent(path)}&bytes=${bytes}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${storedUrl} answered ${response.status}`);
}

async function sourceOf(request: LoadRequest, picked: readonly File[]): Promise<BrowserBundleSource> {
  switch (request.source.kind) {
    case 'url':
    case 'cache':
      return request.source;
    case 'picked':
      return { kind: 'files', files: picked };
    case 'directory': {
      const origin = await navigator.storage.getDirectory();
      return { kind: 'directory', handle: await origin.getDirectoryHandle(request.source.name) };
    }
  }
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked;
}

export const cacheApi = { list: listCachedBundles, delete: deleteCachedBundle, clear: clearBundleCache };

/** sha256 throughput in MB/s over `megabytes` MB fed in 1 MiB chunks, as a download feeds it: the median of 5 runs. */
export async function measureHashSpeed(megabytes: number): Promise<number> {
  const bytes = new Uint8Array(megabytes * 1_000_000);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 0xff;
  const hasher = await createSha256();
  const speeds: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    for (let offset = 0; offset < bytes.length; offset += 1 << 20) hasher.update(bytes.subarray(offset, offset + (1 << 20)));
    hasher.digestHex();
    speeds.push(megabytes / ((performance.now() - started) / 1000));
  }
  return speeds.sort((a, b) => a - b)[2]!;
}
