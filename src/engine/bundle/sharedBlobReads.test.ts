import { afterEach, describe, expect, it, vi } from 'vitest';
import { serveSharedReads, sharedBlobSlices, type HelperScope, type HelperWorker, type SharedRead, type SharedReadsOpen, type SharedReadsOpened } from './sharedBlobReads.ts';

/** A helper on this thread that answers 'open' as `reply` says, and records what it was sent. */
function scriptedHelper(reply: (open: SharedReadsOpen, helper: HelperWorker) => void) {
  const sent: Array<SharedReadsOpen | SharedRead> = [];
  let terminated = false;
  const helper: HelperWorker = {
    onmessage: null,
    onmessageerror: null,
    onerror: null,
    postMessage(message) {
      sent.push(message);
      if (message.kind === 'open') queueMicrotask(() => reply(message, helper));
    },
    terminate: () => void (terminated = true),
  };
  return { helper, sent, wasTerminated: () => terminated };
}

const bytesOf = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);

describe('sharedBlobSlices handshake', () => {
  afterEach(() => void vi.useRealTimers());

  it('posts no read before the helper proved, with the shared state word, that it opened the file', async () => {
    const { helper, sent } = scriptedHelper(({ control }, self) => {
      Atomics.store(new Int32Array(control), 0, 3);
      self.onmessage?.({ data: { ok: true } } as MessageEvent<SharedReadsOpened>);
    });
    const blob = new Blob([bytesOf(10)]);
    const slices = await sharedBlobSlices(blob, () => helper);
    expect(slices?.reader).toBe('shared');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'open', blob });
    expect(sent[0]!.kind === 'open' && sent[0]!.control instanceof SharedArrayBuffer).toBe(true);
  });

  it('gives up the helper at once when its memory is not shared with the engine', async () => {
    // It says it opened the file but its write never reached the engine's state word (a copy, not shared memory).
    const { helper, sent, wasTerminated } = scriptedHelper((_open, self) => self.onmessage?.({ data: { ok: true } } as MessageEvent<SharedReadsOpened>));
    expect(await sharedBlobSlices(new Blob([bytesOf(10)]), () => helper)).toBeNull();
    expect(sent.map((message) => message.kind)).toEqual(['open']);
    expect(wasTerminated()).toBe(true);
  });

  it('gives up the helper at once when it cannot receive the message, fails to open the file, or crashes', async () => {
    for (const fail of [
      (self: HelperWorker) => self.onmessageerror?.({} as MessageEvent),
      (self: HelperWorker) => self.onmessage?.({ data: { ok: false, reason: 'the file could not be read' } } as MessageEvent<SharedReadsOpened>),
      (self: HelperWorker) => self.onerror?.({ message: 'boom' } as ErrorEvent),
    ]) {
      const { helper, wasTerminated } = scriptedHelper((_open, self) => fail(self));
      expect(await sharedBlobSlices(new Blob([bytesOf(10)]), () => helper)).toBeNull();
      expect(wasTerminated()).toBe(true);
    }
  });

  it('gives up a helper that never answers, without blocking while it waits', async () => {
    vi.useFakeTimers();
    const { helper, wasTerminated } = scriptedHelper(() => undefined);
    const opening = sharedBlobSlices(new Blob([bytesOf(10)]), () => helper);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await opening).toBeNull();
    expect(wasTerminated()).toBe(true);
  });

  it('returns null when the helper cannot be started', async () => {
    const result = await sharedBlobSlices(new Blob([bytesOf(10)]), () => {
      throw new Error('workers are not allowed here');
    });
    expect(result).toBeNull();
  });
});

describe('serveSharedReads', () => {
  function serve(): { scope: HelperScope; answers: SharedReadsOpened[] } {
    const answers: SharedReadsOpened[] = [];
    const scope: HelperScope = { onmessage: null, onmessageerror: null, postMessage: (message) => answers.push(message) };
    serveSharedReads(scope);
    return { scope, answers };
  }
  const send = (scope: HelperScope, data: SharedReadsOpen | SharedRead) => scope.onmessage!({ data } as MessageEvent<SharedReadsOpen | SharedRead>);

  it('opens a file: marks the shared state word and answers ok', async () => {
    const { scope, answers } = serve();
    const control = new SharedArrayBuffer(4);
    send(scope, { kind: 'open', blob: new Blob([bytesOf(4)]), control });
    await vi.waitFor(() => expect(answers).toEqual([{ ok: true }]));
    expect(Atomics.load(new Int32Array(control), 0)).toBe(3);
  });

  it('says why it cannot serve: a state word that is not shared, an unreadable file, a message it could not receive', async () => {
    const { scope, answers } = serve();
    send(scope, { kind: 'open', blob: new Blob([bytesOf(4)]), control: new ArrayBuffer(4) as unknown as SharedArrayBuffer });
    const unreadable = { size: 4, slice: () => ({ arrayBuffer: () => Promise.reject(new Error('NotReadableError')) }) } as unknown as Blob;
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    send(scope, { kind: 'open', blob: unreadable, control: new SharedArrayBuffer(4) });
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    scope.onmessageerror!({} as MessageEvent);
    expect(answers).toEqual([
      { ok: false, reason: 'the state word did not arrive as a SharedArrayBuffer' },
      { ok: false, reason: 'the file could not be read: Error: NotReadableError' },
      { ok: false, reason: 'a message from the engine could not be received here (messageerror)' },
    ]);
  });
});
