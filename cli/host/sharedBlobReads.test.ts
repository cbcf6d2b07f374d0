import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { sharedBlobSlices, type HelperWorker, type SharedReadsOpened } from '../../src/engine/bundle/sharedBlobReads.ts';
import { tsxEsmApiUrl } from '../metrics/startMetricsWorker.ts';

/** The real helper code in a Node worker thread, behind the parts of `Worker` the engine uses. */
function threadHelper(): HelperWorker & { terminated: Promise<number> | null } {
  // Node 20 does not apply `--import` hooks to a worker's entry: the thread registers tsx, then imports the entry.
  const entry = JSON.stringify(new URL('./testing/blobReaderThread.ts', import.meta.url).href);
  const thread = new Worker(`import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${entry}); })`, { eval: true });
  const helper: HelperWorker & { terminated: Promise<number> | null } = {
    onmessage: null,
    onmessageerror: null,
    onerror: null,
    terminated: null,
    postMessage: (message) => thread.postMessage(message),
    terminate: () => void (helper.terminated = thread.terminate()),
  };
  thread.on('message', (data: SharedReadsOpened) => helper.onmessage?.({ data } as MessageEvent<SharedReadsOpened>));
  thread.on('error', (error) => helper.onerror?.({ message: error.message } as ErrorEvent));
  return helper;
}

const bytesOf = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);

/** The engine's side blocks on Atomics.wait here while the real helper code answers from its own thread. */
describe('sharedBlobSlices through a helper thread', () => {
  it('reads parts of a file into one reused shared buffer', async () => {
    const bytes = bytesOf(300_000);
    const helper = threadHelper();
    const slices = await sharedBlobSlices(new Blob([bytes]), () => helper);
    expect(slices).not.toBeNull();
    expect(slices!.reader).toBe('shared');
    expect(slices!.byteLength).toBe(bytes.byteLength);
    const first = slices!.read(0, 65_536);
    expect(first).toEqual(bytes.subarray(0, 65_536));
    const buffer = first.buffer;
    const last = slices!.read(250_000, 50_000);
    expect(last).toEqual(bytes.subarray(250_000));
    expect(last.buffer).toBe(buffer);
    // A part past the end of the file is an error, not short data.
    expect(() => slices!.read(299_000, 2_000)).toThrow('bytes 299000–301000 could not be read');
    slices!.close();
    await helper.terminated;
  });

  it('reads a part larger than its read pieces whole and in order', async () => {
    const length = 40 * 2 ** 20 + 12_345;
    const bytes = bytesOf(length + 1_000);
    const helper = threadHelper();
    const slices = (await sharedBlobSlices(new Blob([bytes]), () => helper))!;
    const part = slices.read(1_000, length);
    expect(part.byteLength).toBe(length);
    expect(Buffer.compare(part, bytes.subarray(1_000))).toBe(0);
    slices.close();
    await helper.terminated;
  });
});
