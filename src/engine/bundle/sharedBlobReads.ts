import type { FileSlices } from '../../core/bundle/bundleFiles.ts';

/**
 * Synchronous reads of a Blob (a picked file, an OPFS file) into one reused SharedArrayBuffer, done by a helper
 * worker while the engine's worker waits on Atomics.
 *
 * Why not FileReaderSync: onnxruntime-web creates a session in one long synchronous call that asks for every
 * initializer in turn. FileReaderSync hands out a new ArrayBuffer per read, which the browser frees only at a
 * garbage collection, and none runs inside that call: a 7B decoder's parts piled up to over 2 GiB of garbage
 * before the call returned. Here the engine's worker allocates nothing per read; the helper's own garbage is
 * collected as its event loop turns between reads.
 */

/** The state word of a read, in a shared Int32Array: the engine sets PENDING and waits until it changes. */
const PENDING = 0;
const DONE = 1;
const FAILED = 2;
/** A read the helper does not answer in this time fails (a blocked worker must not wait forever). */
const READ_TIMEOUT_MS = 120_000;
/** A helper that does not start, or does not answer its first read, in this time is not used. */
const START_TIMEOUT_MS = 10_000;
const FIRST_READ_TIMEOUT_MS = 10_000;
/** The shared buffer grows in steps of this size, to the largest part read. */
const GROWTH_BYTES = 16 * 2 ** 20;

/** One read, engine → helper. `data` and `control` are shared, so the message copies nothing. */
export interface SharedReadRequest {
  blob: Blob;
  offset: number;
  length: number;
  data: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/** The helper's side: answers each request by filling the shared buffer; says 'ready' once it listens. */
export function serveSharedReads(scope: { onmessage: ((event: MessageEvent<SharedReadRequest>) => void) | null; postMessage(message: unknown): void }): void {
  scope.onmessage = (event) => void answer(event.data);
  scope.postMessage('ready');
}

async function answer({ blob, offset, length, data, control }: SharedReadRequest): Promise<void> {
  const state = new Int32Array(control);
  try {
    const bytes = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    if (bytes.byteLength !== length) throw new Error(`read ${bytes.byteLength} of ${length} bytes`);
    new Uint8Array(data, 0, length).set(bytes);
    Atomics.store(state, 0, DONE);
  } catch {
    Atomics.store(state, 0, FAILED);
  }
  Atomics.notify(state, 0);
}

/** Whether this context can wait on Atomics for a helper worker (a cross-origin isolated worker). */
export function canShareReads(): boolean {
  return (
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof SharedArrayBuffer === 'function' &&
    typeof Worker === 'function' &&
    // Atomics.wait exists on a page too but throws there; FileReaderSync exists in workers only.
    typeof (globalThis as { FileReaderSync?: unknown }).FileReaderSync === 'function'
  );
}

/**
 * Opens `blob` for synchronous reads through a helper worker made by `startHelper`, or null when the helper does
 * not start. Each `read` returns a view of the shared buffer that the next read overwrites: it is for a reader
 * that uses each part at once (as onnxruntime-web's external-data loader does).
 */
export async function sharedBlobSlices(blob: Blob, startHelper: () => Worker, fallback: () => FileSlices): Promise<FileSlices | null> {
  let helper: Worker;
  try {
    helper = startHelper();
  } catch {
    return null;
  }
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
    helper.onmessage = () => {
      clearTimeout(timer);
      resolve(true);
    };
    helper.onerror = () => {
      clearTimeout(timer);
      resolve(false);
    };
  });
  if (!started) {
    helper.terminate();
    return null;
  }
  const control = new SharedArrayBuffer(4);
  const state = new Int32Array(control);
  let data = new SharedArrayBuffer(0);
  // A helper that does not answer its first read at all is given up for the file's own reader.
  let answered = false;
  let instead: FileSlices | null = null;
  return {
    byteLength: blob.size,
    read(offset, length) {
      if (instead !== null) return instead.read(offset, length);
      if (data.byteLength < length) data = new SharedArrayBuffer(Math.ceil(length / GROWTH_BYTES) * GROWTH_BYTES);
      Atomics.store(state, 0, PENDING);
      helper.postMessage({ blob, offset, length, data, control } satisfies SharedReadRequest);
      const waited = Atomics.wait(state, 0, PENDING, answered ? READ_TIMEOUT_MS : FIRST_READ_TIMEOUT_MS);
      if (waited === 'timed-out' && !answered) {
        helper.terminate();
        instead = fallback();
        return instead.read(offset, length);
      }
      answered = true;
      if (Atomics.load(state, 0) !== DONE) {
        throw new Error(waited === 'timed-out' ? `no answer in ${READ_TIMEOUT_MS / 1000} s` : `bytes ${offset}–${offset + length} could not be read`);
      }
      return new Uint8Array(data, 0, length);
    },
    close: () => {
      helper.terminate();
      instead?.close();
    },
  };
}
