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
 *
 * Why the engine waits for an answer to 'open' before its first blocking read: Chromium keeps the messages a
 * worker's parent posts before the worker's script has finished evaluating in a queue on the PARENT's thread,
 * and flushes that queue in a task of the parent's event loop. A read posted in that window by a parent that
 * then blocks in Atomics.wait is never delivered (the helper's 'ready' message, posted while its script
 * evaluates, does not close the window). An answer to a message the engine posted proves the queue was flushed;
 * from then on each read goes straight to the helper's thread.
 */

/**
 * The state word of a read, in a shared Int32Array: the engine sets `pending` and waits until it changes. `opened`
 * is written by the helper when it opens the file: the engine reads it back to prove the memory is shared, not copied.
 */
const STATE = { pending: 0, done: 1, failed: 2, opened: 3 } as const;
/** A helper that does not answer 'open' in this time is not used (the engine is not blocked while it waits). */
const OPEN_TIMEOUT_MS = 10_000;
/** A read the helper does not answer in this time fails (a blocked worker must not wait forever). */
const READ_TIMEOUT_MS = 120_000;
/** The shared buffer grows in steps of this size, to the largest part read. */
const GROWTH_BYTES = 16 * 2 ** 20;
/** The helper reads a larger part in pieces of this size. */
const READ_PIECE_BYTES = 16 * 2 ** 20;

/** Engine → helper, once, before any read: the file, and the state word every read reports through. */
export interface SharedReadsOpen {
  kind: 'open';
  blob: Blob;
  control: SharedArrayBuffer;
}

/** Engine → helper: one read of the opened file into `data`, shared, so the message copies nothing. */
export interface SharedRead {
  kind: 'read';
  offset: number;
  length: number;
  data: SharedArrayBuffer;
}

/** Helper → engine, the answer to 'open'. */
export type SharedReadsOpened = { ok: true } | { ok: false; reason: string };

/** The helper's side of a worker (a dedicated worker's global scope, or an adapter in Node's tests). */
export interface HelperScope {
  onmessage: ((event: MessageEvent<SharedReadsOpen | SharedRead>) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  postMessage(message: SharedReadsOpened): void;
}

/** The engine's side of the helper worker: the parts of `Worker` used here. */
export interface HelperWorker {
  onmessage: ((event: MessageEvent<SharedReadsOpened>) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: SharedReadsOpen | SharedRead): void;
  terminate(): void;
}

/** The helper's side: opens the file it is sent, then answers each read by filling the shared buffer. */
export function serveSharedReads(scope: HelperScope): void {
  let opened: { blob: Blob; state: Int32Array } | null = null;
  scope.onmessage = (event) => {
    const message = event.data;
    if (message.kind === 'open') {
      void open(message).then((answer) => {
        if (answer.ok) opened = { blob: message.blob, state: new Int32Array(message.control) };
        scope.postMessage(answer);
      });
    } else if (opened !== null) {
      void answer(opened.blob, opened.state, message);
    }
  };
  // A SharedArrayBuffer this worker may not receive (it is not cross-origin isolated) arrives as a messageerror.
  scope.onmessageerror = () => scope.postMessage({ ok: false, reason: 'a message from the engine could not be received here (messageerror)' });
}

/** Proves what the engine's reads rely on: the state word is shared memory, and the file can be read. */
async function open({ blob, control }: SharedReadsOpen): Promise<SharedReadsOpened> {
  if (!(control instanceof SharedArrayBuffer)) return { ok: false, reason: 'the state word did not arrive as a SharedArrayBuffer' };
  try {
    if (blob.size > 0 && (await blob.slice(0, 1).arrayBuffer()).byteLength !== 1) return { ok: false, reason: 'the file\u2019s first byte could not be read' };
  } catch (cause) {
    return { ok: false, reason: `the file could not be read: ${String(cause)}` };
  }
  Atomics.store(new Int32Array(control), 0, STATE.opened);
  return { ok: true };
}

async function answer(blob: Blob, state: Int32Array, { offset, length, data }: SharedRead): Promise<void> {
  try {
    // In pieces, so that this worker's garbage stays one piece even for a part of hundreds of MB (an embedding table).
    const target = new Uint8Array(data, 0, length);
    for (let done = 0; done < length; ) {
      const size = Math.min(READ_PIECE_BYTES, length - done);
      const bytes = new Uint8Array(await blob.slice(offset + done, offset + done + size).arrayBuffer());
      if (bytes.byteLength !== size) throw new Error(`read ${done + bytes.byteLength} of ${length} bytes`);
      target.set(bytes, done);
      done += size;
    }
    Atomics.store(state, 0, STATE.done);
  } catch {
    Atomics.store(state, 0, STATE.failed);
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
 * not start, or does not prove (before the engine ever blocks) that it received the shared state word and can
 * read the file: the caller then reads the file another way, at once. Each `read` returns a view of the shared
 * buffer that the next read overwrites: it is for a reader that uses each part at once (as onnxruntime-web's
 * external-data loader does).
 */
export async function sharedBlobSlices(blob: Blob, startHelper: () => HelperWorker): Promise<FileSlices | null> {
  let helper: HelperWorker;
  try {
    helper = startHelper();
  } catch {
    return null;
  }
  const control = new SharedArrayBuffer(4);
  const state = new Int32Array(control);
  const opened = await new Promise<boolean>((resolve) => {
    const settle = (ok: boolean) => {
      clearTimeout(timer);
      helper.onmessage = helper.onmessageerror = helper.onerror = null;
      resolve(ok);
    };
    const timer = setTimeout(() => settle(false), OPEN_TIMEOUT_MS);
    // Its answer arrives only after the helper received the message: later messages are no longer held back.
    helper.onmessage = (event) => settle(event.data.ok && Atomics.load(state, 0) === STATE.opened);
    helper.onmessageerror = () => settle(false);
    helper.onerror = () => settle(false);
    helper.postMessage({ kind: 'open', blob, control });
  });
  if (!opened) {
    helper.terminate();
    return null;
  }
  let data = new SharedArrayBuffer(0);
  return {
    byteLength: blob.size,
    reader: 'shared',
    read(offset, length) {
      if (data.byteLength < length) data = new SharedArrayBuffer(Math.ceil(length / GROWTH_BYTES) * GROWTH_BYTES);
      Atomics.store(state, 0, STATE.pending);
      helper.postMessage({ kind: 'read', offset, length, data });
      const waited = Atomics.wait(state, 0, STATE.pending, READ_TIMEOUT_MS);
      if (Atomics.load(state, 0) !== STATE.done) {
        throw new Error(waited === 'timed-out' ? `no answer in ${READ_TIMEOUT_MS / 1000} s` : `bytes ${offset}–${offset + length} could not be read`);
      }
      return new Uint8Array(data, 0, length);
    },
    close: () => helper.terminate(),
  };
}
