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

/**
 * What is known of a file before it downloads. A bundle's manifest gives both; a sentence model's files come
 * without either, because a server may compress them: then the body's end is the file's end, and each attempt
 * starts over, since a compressed length cannot be resumed.
 */
export interface DownloadSpec {
  path: string;
  bytes: number | null;
  /** Checked once the file is whole; null: the digest is only returned. */
  sha256: string | null;
}

/** A file stored whole: its length and its sha256. */
export interface DownloadedFile {
  bytes: number;
  sha256: string;
}

export interface DownloadOptions {
  fetch: typeof fetch;
  /** How messages name the file; default its path. */
  label?: string;
  /** A response to the first request, made already (e.g. with others, to learn every size at once). */
  firstResponse?: Response;
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

/** Where an attempt got to: the offset reached, how many new bytes it brought, and whether the file is whole. */
interface AttemptEnd {
  offset: number;
  receivedBytes: number;
  complete: boolean;
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
 * Downloads `spec` from `url` into `stored`, checks its sha256 when one is given, and resolves with the stored
 * file's length and digest. Resumes from what is stored (an earlier session's partial file, or an attempt that
 * dropped) with a Range request; starts over when the server ignores Range. A wrong sha256 costs one complete
 * second download, then fails naming the file.
 */
export async function downloadFile(url: string, spec: DownloadSpec, stored: StoredFile, options: DownloadOptions): Promise<DownloadedFile> {
  const hasher = await createSha256();
  const label = options.label ?? spec.path;
  const sessionOptions = { ...options };
  for (let round = 1; ; round++) {
    const storedBytes = round === 1 && spec.bytes !== null ? await stored.size() : 0;
    const file = await fetchIntoStore(url, spec, stored, hasher, sessionOptions, storedBytes);
    if (spec.sha256 === null || file.sha256 === spec.sha256) return file;
    if (round === 2) {
      throw new AppError(
        'BUNDLE_HASH_MISMATCH',
        `${label}: its sha256 is ${file.sha256}, but the manifest says ${spec.sha256} (downloaded twice from ${url}).`,
        { hint: 'The file on the server is not the one the manifest lists: upload the bundle again, whole, or convert it again.' },
      );
    }
  }
}

/** One pass over the file, resuming across dropped connections; returns the stored bytes' length and sha256. */
async function fetchIntoStore(
  url: string,
  spec: DownloadSpec,
  stored: StoredFile,
  hasher: Sha256,
  options: DownloadOptions,
  storedBytes: number,
): Promise<DownloadedFile> {
  const label = options.label ?? spec.path;
  // 1. Pick up what is stored: its bytes must go through the hasher before new ones.
  hasher.reset();
  let offset = spec.bytes === null ? 0 : resumeOffset(storedBytes, spec.bytes);
  if (offset > 0 && (await hashStream(hasher, stored.stream(offset))) !== offset) offset = restart(hasher);
  options.onStart?.(offset);

  // 2. Fetch from `offset` until the file is whole; each failure that brings no byte counts towards the limit.
  let failures = 0;
  let furthest = offset;
  let lastProblem = '';
  for (let complete = spec.bytes === 0; !complete; ) {
    options.signal?.throwIfAborted();
    if (failures > 0) {
      if (failures >= options.maxAttempts) {
        throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${label}: the download failed ${failures} times in a row (${lastProblem}; ${url}).`, {
          hint: 'Check the connection and load the model again: the bytes downloaded so far are kept, and it resumes from there.',
        });
      }
      await sleep(retryDelayMs(failures, options.retryBaseMs), options.signal);
    }
    // A file of unknown length cannot resume: what an attempt stored is dropped.
    if (spec.bytes === null && offset > 0) {
      options.onBytes?.(-offset);
      offset = restart(hasher);
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
    complete = end.complete;
    // Counted by bytes received, not by offset: after a restart the offset falls while bytes still flow. A file
    // that starts over each time must get further than before.
    const progressed = spec.bytes === null ? end.offset > furthest : end.receivedBytes > 0;
    furthest = Math.max(furthest, end.offset);
    failures = progressed ? 0 : failures + 1;
  }
  return { bytes: offset, sha256: hasher.digestHex() };
}

function restart(hasher: Sha256): number {
  hasher.reset();
  return 0;
}

/** One request: returns where it got to, or throws AttemptFailed. */
async function attempt(url: string, spec: DownloadSpec, stored: StoredFile, hasher: Sha256, options: DownloadOptions, start: number): Promise<AttemptEnd> {
  const label = options.label ?? spec.path;
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
  const failed = (message: string) => new AttemptFailed(message, { offset, receivedBytes, complete: false });
  try {
    armStallTimer();
    let response: Response;
    const made = options.firstResponse;
    try {
      // The response made already answers the first attempt only (and only from the start).
      options.firstResponse = undefined;
      response = made !== undefined && start === 0 ? made : await options.fetch(url, { headers: rangeHeaders(start), cache: 'no-store', signal: controller.signal });
    } catch (cause) {
      options.signal?.throwIfAborted();
      throw failed(`could not connect: ${why(cause)}`);
    }
    if (made !== undefined && response !== made) await made.body?.cancel().catch(() => undefined);
    const plan = planResponse(start, spec.bytes, response.status, response.headers.get('Content-Range'));
    if (plan.kind !== 'append' && plan.kind !== 'restart') await response.body?.cancel().catch(() => undefined);
    switch (plan.kind) {
      case 'missing':
        throw new AppError('BUNDLE_FILE_MISSING', `${label}: the server answered ${response.status} Not Found for ${url}.`, {
          hint: 'The bundle on the server is incomplete: upload the missing file, or check the URL.',
        });
      case 'sizeMismatch':
        throw sizeMismatch({ path: label, bytes: spec.bytes ?? 0 }, `the server (${url})`, plan.serverBytes);
      case 'fail':
        throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${label}: ${plan.reason} (${url}).`, {
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
    const declaredBytes = Number(response.headers.get('Content-Length'));
    const writer = await stored.open(offset);
    const reader = response.body.getReader();
    // A response made elsewhere does not hear this attempt's abort: its reader is cancelled instead.
    const cancelReader = () => void reader.cancel().catch(() => undefined);
    controller.signal.addEventListener('abort', cancelReader);
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (cause) {
          options.signal?.throwIfAborted();
          throw failed(`the connection dropped after ${offset}${spec.bytes === null ? '' : ` of ${spec.bytes}`} bytes: ${why(cause)}`);
        }
        if (chunk.done) break;
        armStallTimer();
        // A server file longer than the manifest's: keep the manifest's length; the sha256 decides.
        const bytes = spec.bytes === null ? chunk.value : chunk.value.subarray(0, spec.bytes - offset);
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
      controller.signal.removeEventListener('abort', cancelReader);
      await writer.close();
    }
    if (controller.signal.aborted) {
      options.signal?.throwIfAborted();
      throw failed(`the connection dropped after ${offset} bytes: ${why(undefined)}`);
    }
    // Without a known length, a body shorter than its Content-Length is cut (a compressed one is longer).
    const expected = spec.bytes ?? (Number.isFinite(declaredBytes) && declaredBytes > 0 ? declaredBytes : 0);
    if (offset < expected) throw failed(`the server sent ${offset} of ${expected} bytes`);
    return { offset, receivedBytes, complete: true };
  } finally {
    clearTimeout(stallTimer);
    options.signal?.removeEventListener('abort', abortFromCaller);
  }
}

export function sizeMismatch(spec: { path: string; bytes: number }, where: string, actualBytes: number): AppError {
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
