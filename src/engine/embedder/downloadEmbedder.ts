import type { LoadProgress } from '../../core/bundle/bundleFiles.ts';
import { EMBEDDER_FILES, embedderPrefix, PUBLIC_EMBEDDER_URL, type EmbedderFilePath } from '../../core/embedder/embedderFiles.ts';
import { AppError } from '../../core/errors.ts';
import { downloadFile, type StoredFile } from '../bundle/downloadFile.ts';
import { opfsStoredFile } from '../bundle/opfsFile.ts';
import { createProgressTracker } from '../bundle/progressTracker.ts';
import { EMBEDDER_CACHE, embedderCacheKey, embedderFolder, isComplete, readEmbedderIndex, writeEmbedderIndex } from './embedderCache.ts';
import type { EmbedderFolder } from './embedderFolder.ts';

export interface EmbedderDownloadOptions {
  fetch?: typeof fetch;
  onProgress?: (progress: LoadProgress) => void;
  /** Progress at most this often while bytes flow (each file's start and end are always reported); default 100. */
  intervalMs?: number;
  now?: () => number;
  /** Resolves relative URLs; default the page's address. */
  base?: string;
  /** Attempts in a row that get no further before giving up (default 5), the first pause (default 500 ms, doubling), and how long no byte counts as a drop (default 30 s). */
  maxAttempts?: number;
  retryBaseMs?: number;
  stallTimeoutMs?: number;
}

/**
 * The sentence embedder from a URL prefix: opened from the cache when a complete copy from the same prefix is there
 * (no request at all), else each file downloaded into the cache with progress, then opened from it.
 */
export async function downloadEmbedder(url: string, options: EmbedderDownloadOptions = {}): Promise<EmbedderFolder> {
  const prefix = embedderPrefix(url, options.base ?? globalThis.location?.href);
  const key = await embedderCacheKey(prefix);
  return EMBEDDER_CACHE.withLock(key, async () => {
    const entry = (await EMBEDDER_CACHE.entry(key, true))!;
    const now = new Date().toISOString();
    const index = await readEmbedderIndex(entry);
    if (index !== null && index.url === prefix && (await isComplete(entry, index))) {
      await writeEmbedderIndex(entry, { ...index, lastUsedAt: now });
      for (const path of EMBEDDER_FILES) {
        const bytes = index.files[path] ?? 0;
        options.onProgress?.({ file: path, fileBytesLoaded: bytes, fileBytesTotal: bytes, bytesLoaded: bytes, bytesTotal: bytes, bytesPerSecond: 0, etaSeconds: null, fromCache: true });
      }
      return embedderFolder(entry, `${prefix} (cached)`);
    }
    // The index first, empty: a download that stops half way leaves a copy listed as incomplete, which can be deleted.
    await writeEmbedderIndex(entry, { version: 1, url: prefix, files: {}, createdAt: index?.createdAt ?? now, lastUsedAt: now });
    const files = await downloadEmbedderFiles(prefix, { file: async (path) => opfsStoredFile((await entry.file(path, true))!) }, options);
    await writeEmbedderIndex(entry, { version: 1, url: prefix, files, createdAt: index?.createdAt ?? now, lastUsedAt: new Date().toISOString() });
    return embedderFolder(entry, prefix);
  });
}

/** Where the downloaded files go. */
export interface EmbedderTarget {
  file(path: EmbedderFilePath): Promise<StoredFile>;
}

/**
 * Downloads every embedder file from `prefix` into `target`, one after the other, with progress over all of them.
 * The requests start together, so the sizes (Content-Length) are known before the large file streams. Returns
 * each file's size as stored. A missing file or a server out of reach fails naming the file and the URL.
 */
export async function downloadEmbedderFiles(
  prefix: string,
  target: EmbedderTarget,
  options: EmbedderDownloadOptions = {},
): Promise<Record<EmbedderFilePath, number>> {
  const fetchFile = options.fetch ?? globalThis.fetch.bind(globalThis);
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 100;

  // 1. Every request, so each file's size is known up front.
  const settled = await Promise.allSettled(
    EMBEDDER_FILES.map(async (path) => {
      const url = prefix + path;
      let response: Response;
      try {
        response = await fetchFile(url, { cache: 'no-store' });
      } catch (cause) {
        throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${path} of the sentence model could not be fetched from ${url}: ${cause instanceof Error ? cause.message : String(cause)}.`, {
          hint: `Check the connection and the URL; a server on another site must allow this page (CORS). Or choose the model's folder instead. The public model is at ${PUBLIC_EMBEDDER_URL}`,
          cause,
        });
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const missing = response.status === 404;
        throw new AppError(missing ? 'BUNDLE_FILE_MISSING' : 'BUNDLE_DOWNLOAD_FAILED', `${path} of the sentence model: the server answered ${response.status}${missing ? ' Not Found' : ''} for ${url}.`, {
          hint: missing
            ? 'The URL must be the folder holding config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx (all-MiniLM-L6-v2 for transformers.js).'
            : 'Check the URL and try again later.',
        });
      }
      if (response.body === null) throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${path} of the sentence model: the response from ${url} had no body.`, { hint: 'Try again.' });
      const length = Number(response.headers.get('Content-Length'));
      return { path, url, response, declaredBytes: Number.isFinite(length) && length > 0 ? length : 0 };
    }),
  );
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  const responses = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const letGo = (from: number) => Promise.all(responses.slice(from).map(({ response }) => response.body?.cancel().catch(() => undefined)));
  if (failed !== undefined) {
    await letGo(0);
    throw failed.reason;
  }

  // 2. The bodies, one after the other, through the bundles' downloader: a drop or a stall is retried from the
  // file's start (a compressed length cannot resume), and a body shorter than its Content-Length is cut.
  const progress = createProgressTracker(
    responses.map(({ path, declaredBytes }) => ({ path, bytes: declaredBytes })),
    (event) => options.onProgress?.(event),
    { intervalMs, now },
  );
  const stored = {} as Record<EmbedderFilePath, number>;
  for (const [position, { path, url, response }] of responses.entries()) {
    try {
      const file = await downloadFile(url, { path, bytes: null, sha256: null }, await target.file(path), {
        fetch: fetchFile,
        label: `${path} of the sentence model`,
        firstResponse: response,
        maxAttempts: options.maxAttempts ?? 5,
        retryBaseMs: options.retryBaseMs ?? 500,
        stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
        onStart: (bytes) => progress.start(path, bytes),
        onBytes: (delta) => progress.add(path, delta),
      });
      stored[path] = file.bytes;
    } catch (error) {
      // The bodies not read yet are let go with the failed one (cancelling one already read does nothing).
      await letGo(position);
      throw error;
    }
    progress.done(path);
  }
  return stored;
}
