import type { FileSpec } from '../../core/bundle/manifest.ts';
import { AppError } from '../../core/errors.ts';
import { planResponse, rangeHeaders, resumeOffset, retryDelayMs } from './resumePlan.ts';
import { createSha256, hashStream, type Sha256 } from '../../core/sha256.ts';

/** Where a download's bytes go: a file that keeps what was written when a download stops half way. */
export interface StoredFile {
  size(): Promise<number>;
  /** Opens for writing at `offset`, dropping whatever is stored after it. */
  open(offset: number): Promise<FileWriter>;
  /** The stored bytes [0, end), to hash them again before resuming. */
  stream(end: number): ReadableStream<Uint8Array>;
}

export interface FileWriter {
  write(chunk: Uint8Array): Promise<void>;
  /** Keeps what was written (also after a failed download: it is where the next attempt resumes). */
  close(): Promise<void>;
}

export interface DownloadOptions {
  fetch: typeof fetch;
  /** Attempts in a row that bring no new byte before giving up. */
  maxAttempts: number;
  /** First pause between attempts; doubles after each failed one. */
  retryBaseMs: number;
  /** No byte for this long: treat the connection as dropped and resume. */
  stallTimeoutMs: number;
  signal?: AbortSignal;
  /** Bytes already stored when the download (re)starts. */
  onStart?: (storedBytes: number) => void;
  /** Bytes written (> 0) or thrown away to start over (< 0). */
  onBytes?: (deltaBytes: number) => void;
}

/** Where an attempt got to: the offset reached, and how many new bytes it brought. */
interface AttemptEnd {
  offset: number;
  receivedBytes: number;
}

/** Why an attempt ended without the whole file; the next attempt resumes from `end.offset`. */
class AttemptFailed extends Error {
  constructor(
    message: string,
    readonly end: AttemptEnd,
  ) {
    super(message);
  }
}

/**
 * Downloads `spec` from `url` into `stored` and checks its sha256; resolves once the stored file is
 * complete and verified. Resumes from what is stored (an earlier session's partial file, or an attempt
 * that dropped) with a Range request; starts over when the server ignores Range. A wrong sha256 costs
 * one complete second download, then fails naming the file.
 */
export async function downloadFile(url: string, spec: FileSpec, stored: StoredFile, options: DownloadOptions): Promise<void> {
  const hasher = await createSha256();
  for (let round = 1; ; round++) {
    const digest = await fetchIntoStore(url, spec, stored, hasher, options, round === 1 ? await stored.size() : 0);
    if (digest === spec.sha256) return;
    if (round === 2) {
      throw new AppError(
        'BUNDLE_HASH_MISMATCH',
        `${spec.path}: its sha256 is ${digest}, but the manifest says ${spec.sha256} (downloaded twice from ${url}).`,
        { hint: 'The file on the server is not the one the manifest lists: upload the bundle again, whole, or convert it again.' },
      );
    }
  }
}

/** One pass over the file, resuming across dropped connections; returns the sha256 of the stored bytes. */
async function fetchIntoStore(
  url: string,
  spec: FileSpec,
  stored: StoredFile,
  hasher: Sha256,
  options: DownloadOptions,
  storedBytes: number,
): Promise<string> {
  // 1. Pick up what is stored: its bytes must go through the hasher before new ones.
  hasher.reset();
  let offset = resumeOffset(storedBytes, spec.bytes);
  if (offset > 0 && (await hashStream(hasher, stored.stream(offset))) !== offset) offset = restart(hasher);
  options.onStart?.(offset);

  // 2. Fetch from `offset` until the file is whole; each failure that brings no byte counts towards the limit.
  let failures = 0;
  let lastProblem = '';
  while (offset < spec.bytes) {
    options.signal?.throwIfAborted();
    if (failures > 0) {
      if (failures >= options.maxAttempts) {
        throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${spec.path}: the download failed ${failures} times in a row (${lastProblem}; ${url}).`, {
          hint: 'Check the connection and load the model again: the bytes downloaded so far are kept, and it resumes from there.',
        });
      }
      await sleep(retryDelayMs(failures, options.retryBaseMs), options.signal);
    }
    let end: AttemptEnd;
    try {
      end = await attempt(url, spec, stored, hasher, options, offset);
    } catch (error) {
      if (!(error instanceof AttemptFailed)) throw error;
      lastProblem = error.message;
      end = error.end;
    }
    offset = end.offset;
    // Counted by bytes received, not by offset: after a restart the offset falls while bytes still flow.
    failures = end.receivedBytes > 0 ? 0 : failures + 1;
  }
  return hasher.digestHex();
}

function restart(hasher: Sha256): number {
  hasher.reset();
  return 0;
}

/** One request: returns where it got to, or throws AttemptFailed. */
async function attempt(url: string, spec: FileSpec, stored: StoredFile, hasher: Sha256, options: DownloadOptions, start: number): Promise<AttemptEnd> {
  const controller = new AbortController();
  const abortFromCaller = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortFromCaller);
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => controller.abort(new Error(`no data for ${options.stallTimeoutMs} ms`)), options.stallTimeoutMs);
  };
  const why = (cause: unknown) => describe(controller.signal.aborted ? controller.signal.reason : cause);
  let offset = start;
  let receivedBytes = 0;
  const failed = (message: string) => new AttemptFailed(message, { offset, receivedBytes });
  try {
    armStallTimer();
    let response: Response;
    try {
      response = await options.fetch(url, { headers: rangeHeaders(start), cache: 'no-store', signal: controller.signal });
    } catch (cause) {
      options.signal?.throwIfAborted();
      throw failed(`could not connect: ${why(cause)}`);
    }
    const plan = planResponse(start, spec.bytes, response.status, response.headers.get('Content-Range'));
    if (plan.kind !== 'append' && plan.kind !== 'restart') await response.body?.cancel().catch(() => undefined);
    switch (plan.kind) {
      case 'missing':
        throw new AppError('BUNDLE_FILE_MISSING', `${spec.path}: the server answered ${response.status} Not Found for ${url}.`, {
          hint: 'The bundle on the server is incomplete: upload the missing file, or check the URL.',
        });
      case 'sizeMismatch':
        throw sizeMismatch(spec, `the server (${url})`, plan.serverBytes);
      case 'fail':
        throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${spec.path}: ${plan.reason} (${url}).`, {
          hint: 'Check that the URL points at a public DepictQA Web bundle.',
        });
      case 'retry':
        throw failed(plan.reason);
      case 'restart':
        options.onBytes?.(-start);
        offset = restart(hasher);
        break;
      case 'append':
        break;
    }
    if (response.body === null) throw failed('the response had no body');

    // 3. Stream the body: hash and store each chunk; a stall aborts the request like a drop.
    const writer = await stored.open(offset);
    const reader = response.body.getReader();
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (cause) {
          options.signal?.throwIfAborted();
          throw failed(`the connection dropped after ${offset} of ${spec.bytes} bytes: ${why(cause)}`);
        }
        if (chunk.done) break;
        armStallTimer();
        // A server file longer than the manifest's: keep the manifest's length; the sha256 decides.
        const bytes = chunk.value.subarray(0, spec.bytes - offset);
        hasher.update(bytes);
        await writer.write(bytes);
        offset += bytes.byteLength;
        receivedBytes += bytes.byteLength;
        options.onBytes?.(bytes.byteLength);
        if (offset === spec.bytes) {
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
    } finally {
      await writer.close();
    }
    if (offset < spec.bytes) throw failed(`the server sent ${offset} of ${spec.bytes} bytes`);
    return { offset, receivedBytes };
  } finally {
    clearTimeout(stallTimer);
    options.signal?.removeEventListener('abort', abortFromCaller);
  }
}

export function sizeMismatch(spec: FileSpec, where: string, actualBytes: number): AppError {
  return new AppError('BUNDLE_FILE_SIZE_MISMATCH', `${spec.path}: ${where} has ${actualBytes} bytes, but the manifest says ${spec.bytes}.`, {
    hint: 'The file was cut short or replaced: copy or upload the bundle again, whole.',
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
