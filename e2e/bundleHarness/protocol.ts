import type { LoadProgress, SliceReader } from '../../src/core/bundle/bundleFiles.ts';
import type { SerializedError } from '../../src/core/errors.ts';
import type { CachedBundleInfo } from '../../src/engine/bundle/bundleCache.ts';
import type { LoadBundleOptions } from '../../src/engine/bundle/loadTypes.ts';

/** The loader's options a request passes on as they are (the plain-data ones). */
export const LOADER_SETTINGS = ['verifyCached', 'offlineFallback', 'maxAttempts', 'retryBaseMs', 'stallTimeoutMs', 'progressIntervalMs'] as const;
type LoaderSettings = Pick<LoadBundleOptions, (typeof LOADER_SETTINGS)[number]>;

/** What a browser test asks the harness page to do; plain data, so it crosses `page.evaluate` and `postMessage`. */
export interface LoadRequest extends LoaderSettings {
  /** Run the loader on the page itself or in a module worker (where the engine runs it). */
  where: 'page' | 'worker';
  source:
    | { kind: 'url'; url: string }
    | { kind: 'cache'; key: string }
    /** The files set on the page's `<input webkitdirectory>`. */
    | { kind: 'picked' }
    /** A FileSystemDirectoryHandle: a folder in OPFS that `copyToOpfsFolder` filled. */
    | { kind: 'directory'; name: string };
  variant?: 'q4' | 'fp32';
  /**
   * The bundle server's `storedUrl`: every progress event is reported there, so that a 'drop' fault resets its
   * connection once the loader has stored the bytes sent. Give `progressIntervalMs: 0` with it, or the last
   * chunk before the drop may go unreported.
   */
  storedUrl?: string;
  /** Replaces navigator.storage.estimate where the loader runs (to simulate a full disk). */
  estimate?: { quota: number; usage: number };
  /** Read these files through the loaded bundle ('all': every loaded file) and report their size and sha256. */
  read?: 'all' | string[];
  /** Read these files through `openSlices` (as onnxruntime-web reads external data), in 64 KiB parts, and report them. */
  readInParts?: string[];
}

export interface LoadResult {
  events: LoadProgress[];
  error?: SerializedError;
  label?: string;
  cacheKey?: string | null;
  files?: string[];
  bytesDownloaded?: number;
  reads?: Array<{ path: string; bytes: number; sha256: string }>;
  /** A read that failed after the load succeeded. */
  readError?: SerializedError;
  /** Whether the loaded bundle offers reads in parts (`openSlices`) where it ran. */
  inParts?: boolean;
  /** The files of `readInParts`, put together from their parts, and how their parts were read. */
  partReads?: Array<{ path: string; bytes: number; sha256: string; parts: number; reader: SliceReader | null }>;
  /** Milliseconds the load took. */
  elapsedMs?: number;
  /** Whether OPFS sync access handles exist where the load ran (workers only), so downloads wrote through them. */
  syncAccess: boolean;
}

/** The API the harness page puts on `window.bundleHarness`. */
export interface BundleHarness {
  load(request: LoadRequest): Promise<LoadResult>;
  listCached(where: 'page' | 'worker'): Promise<CachedBundleInfo[]>;
  deleteCached(key: string): Promise<void>;
  clearCache(): Promise<void>;
  /** Copies a bundle from `url` into OPFS folder `name`, to stand in for a folder the user picked. */
  copyToOpfsFolder(url: string, paths: readonly string[], name: string): Promise<void>;
  /** Flips one byte of a cached file in place (same size), as disk damage would. */
  damageCachedFile(key: string, path: string): Promise<void>;
  /** Megabytes per second of sha256 over a buffer of `megabytes` MB, on the page or in a worker. */
  hashSpeed(megabytes: number, where: 'page' | 'worker'): Promise<number>;
}

/** A call of the harness worker: the loader in a module worker, where OPFS sync access handles exist. */
export type WorkerCall = { call: 'load'; request: LoadRequest; picked: File[] } | { call: 'list' } | { call: 'hashSpeed'; megabytes: number };
export type WorkerReply = { value: unknown } | { error: SerializedError };
