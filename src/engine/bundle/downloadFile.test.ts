import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FileSpec } from '../../core/bundle/manifest.ts';
import { rejection } from '../../core/testing/rejection.ts';
import { downloadFile, type DownloadOptions, type StoredFile } from './downloadFile.ts';

const URL_ = 'https://example.org/bundle/onnx/decoder_q4.onnx_data';

function content(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = ((i + seed) * 2654435761) >>> 24;
  return bytes;
}
const specOf = (bytes: Uint8Array): FileSpec => ({
  path: 'onnx/decoder_q4.onnx_data',
  bytes: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('hex'),
});

/** A file in memory that keeps what was written, like an OPFS file. */
function memoryFile(initial: Uint8Array = new Uint8Array(0)) {
  let data: Uint8Array = initial.slice();
  let opens = 0;
  const file: StoredFile & { bytes: () => Uint8Array; opens: () => number } = {
    bytes: () => data,
    opens: () => opens,
    size: async () => data.length,
    open: async (offset) => {
      opens++;
      data = data.slice(0, offset);
      return {
        write: async (chunk) => {
          const grown = new Uint8Array(data.length + chunk.length);
          grown.set(data);
          grown.set(chunk, data.length);
          data = grown;
        },
        close: async () => undefined,
      };
    },
    stream: (end) => new Blob([data.slice(0, end)]).stream(),
  };
  return file;
}

interface Served {
  status?: number;
  /** Bytes served: the whole file unless replaced. */
  body?: Uint8Array;
  /** Answer a Range with 200 and the whole file. */
  ignoreRange?: boolean;
  /** Send this many bytes of the answer, then end cleanly. */
  endAfter?: number;
  /** Send this many bytes of the answer, then fail like a reset connection. */
  dropAfter?: number;
  /** Send this many bytes, then nothing, forever. */
  stallAfter?: number;
  /** Fail to connect at all. */
  refuse?: boolean;
}

/** A server whose answers follow a script, one entry per request (the last one repeats). */
function scriptedServer(file: Uint8Array, script: Served[]) {
  const ranges: Array<string | null> = [];
  const fetchFn = (async (_url: string, init?: RequestInit) => {
    const range = new Headers(init?.headers).get('Range');
    const step = script[Math.min(ranges.length, script.length - 1)]!;
    ranges.push(range);
    if (step.refuse) throw new TypeError('Failed to fetch');
    const whole = step.body ?? file;
    if (step.status !== undefined) return new Response(null, { status: step.status });
    const from = range !== null && !step.ignoreRange ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const payload = whole.subarray(from);
    const headers = new Headers();
    if (from > 0) headers.set('Content-Range', `bytes ${from}-${whole.length - 1}/${whole.length}`);
    const cut = step.endAfter ?? step.dropAfter ?? step.stallAfter ?? payload.length;
    const signal = init?.signal;
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          // Two chunks, so that progress and the hash see a body in pieces.
          const part = payload.subarray(0, cut);
          const half = Math.floor(part.length / 2);
          controller.enqueue(part.slice(0, half));
          controller.enqueue(part.slice(half));
          return;
        }
        if (step.dropAfter !== undefined) controller.error(new TypeError('network error'));
        else if (step.stallAfter !== undefined) {
          return new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
        } else controller.close();
      },
    });
    return new Response(body, { status: from > 0 ? 206 : 200, headers });
  }) as typeof fetch;
  return { fetch: fetchFn, ranges };
}

function optionsFor(server: { fetch: typeof fetch }, extra: Partial<DownloadOptions> = {}) {
  const deltas: number[] = [];
  const starts: number[] = [];
  const options: DownloadOptions = {
    fetch: server.fetch,
    maxAttempts: 3,
    retryBaseMs: 1,
    stallTimeoutMs: 1000,
    onStart: (bytes) => starts.push(bytes),
    onBytes: (delta) => deltas.push(delta),
    ...extra,
  };
  return { options, deltas, starts };
}

describe('downloadFile', () => {
  const file = content(10_000);
  const spec = specOf(file);

  it('stores a whole file and reports every byte', async () => {
    const server = scriptedServer(file, [{}]);
    const stored = memoryFile();
    const { options, deltas, starts } = optionsFor(server);
    await downloadFile(URL_, spec, stored, options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual([null]);
    expect(starts).toEqual([0]);
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('resumes with a Range after a connection drops mid-file', async () => {
    const server = scriptedServer(file, [{ dropAfter: 4000 }, {}]);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(server).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual([null, 'bytes=4000-']);
  });

  it('resumes after a body that ends early without an error', async () => {
    const server = scriptedServer(file, [{ endAfter: 2500 }, { endAfter: 2500 }, {}]);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(server).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual([null, 'bytes=2500-', 'bytes=5000-']);
  });

  it('resumes from a partial file stored by an earlier session, hashing the stored part first', async () => {
    const server = scriptedServer(file, [{}]);
    const stored = memoryFile(file.subarray(0, 6000));
    const { options, starts, deltas } = optionsFor(server);
    await downloadFile(URL_, spec, stored, options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual(['bytes=6000-']);
    expect(starts).toEqual([6000]);
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(4000);
  });

  it('starts over when the server ignores Range', async () => {
    const server = scriptedServer(file, [{ ignoreRange: true }]);
    const stored = memoryFile(file.subarray(0, 6000));
    const { options, deltas } = optionsFor(server);
    await downloadFile(URL_, spec, stored, options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual(['bytes=6000-']);
    expect(deltas[0]).toBe(-6000);
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(4000);
  });

  it('counts bytes received, not the offset, as progress when a server that ignores Range keeps dropping', async () => {
    const server = scriptedServer(file, [
      { dropAfter: 4000 },
      { ignoreRange: true, dropAfter: 2000 },
      { ignoreRange: true, dropAfter: 1000 },
      {},
    ]);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(server, { maxAttempts: 2 }).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual([null, 'bytes=4000-', 'bytes=2000-', 'bytes=1000-']);
  });

  it('treats a stall like a drop and resumes', async () => {
    const server = scriptedServer(file, [{ stallAfter: 3000 }, {}]);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(server, { stallTimeoutMs: 50 }).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual([null, 'bytes=3000-']);
  });

  it('retries a server error and a refused connection, then gives up naming the file and the URL', async () => {
    const recovering = scriptedServer(file, [{ status: 503 }, { refuse: true }, {}]);
    await downloadFile(URL_, spec, memoryFile(), optionsFor(recovering).options);
    expect(recovering.ranges.length).toBe(3);

    const down = scriptedServer(file, [{ status: 503 }]);
    const error = await rejection(downloadFile(URL_, spec, memoryFile(), optionsFor(down).options));
    expect(error.code).toBe('BUNDLE_DOWNLOAD_FAILED');
    expect(error.message).toBe(`onnx/decoder_q4.onnx_data: the download failed 3 times in a row (HTTP 503; ${URL_}).`);
    expect(down.ranges.length).toBe(3);
  });

  it('keeps resuming as long as each attempt brings bytes', async () => {
    const script = Array.from({ length: 9 }, () => ({ dropAfter: 1000 }) as Served);
    const server = scriptedServer(file, [...script, {}]);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(server).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges.length).toBe(10);
  });

  it('fails at once on a 404, naming the file and the URL', async () => {
    const server = scriptedServer(file, [{ status: 404 }]);
    const error = await rejection(downloadFile(URL_, spec, memoryFile(), optionsFor(server).options));
    expect(error.code).toBe('BUNDLE_FILE_MISSING');
    expect(error.message).toBe(`onnx/decoder_q4.onnx_data: the server answered 404 Not Found for ${URL_}.`);
    expect(server.ranges.length).toBe(1);
  });

  it('downloads again once when the sha256 is wrong, and keeps the good second copy', async () => {
    const corrupt = file.slice();
    corrupt[5000] = corrupt[5000]! ^ 0xff;
    const server = scriptedServer(file, [{ body: corrupt }, {}]);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(server).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual([null, null]);
  });

  it('fails naming the file when the second download is wrong too', async () => {
    const corrupt = file.slice();
    corrupt[0] = corrupt[0]! ^ 1;
    const server = scriptedServer(file, [{ body: corrupt }]);
    const error = await rejection(downloadFile(URL_, spec, memoryFile(), optionsFor(server).options));
    expect(error.code).toBe('BUNDLE_HASH_MISMATCH');
    expect(error.message).toMatch(/^onnx\/decoder_q4\.onnx_data: its sha256 is [0-9a-f]{64}, but the manifest says [0-9a-f]{64} \(downloaded twice from https:/);
    expect(server.ranges).toEqual([null, null]);
  });

  it('re-downloads from scratch when a stored partial file holds wrong bytes', async () => {
    const wrongStart = content(6000, 99);
    const server = scriptedServer(file, [{}]);
    const stored = memoryFile(wrongStart);
    await downloadFile(URL_, spec, stored, optionsFor(server).options);
    expect(stored.bytes()).toEqual(file);
    expect(server.ranges).toEqual(['bytes=6000-', null]);
  });

  it('refuses a server file of another length, and cuts a longer body to the manifest length', async () => {
    const shorter = scriptedServer(file, [{ body: file.subarray(0, 8000) }]);
    const error = await rejection(downloadFile(URL_, spec, memoryFile(file.subarray(0, 100)), optionsFor(shorter).options));
    expect(error.code).toBe('BUNDLE_FILE_SIZE_MISMATCH');
    expect(error.message).toBe(`onnx/decoder_q4.onnx_data: the server (${URL_}) has 8000 bytes, but the manifest says 10000.`);

    const longer = new Uint8Array(12_000);
    longer.set(file);
    const stored = memoryFile();
    await downloadFile(URL_, spec, stored, optionsFor(scriptedServer(file, [{ body: longer }])).options);
    expect(stored.bytes()).toEqual(file);
  });

  it('stops when the caller aborts, with the abort reason', async () => {
    const server = scriptedServer(file, [{ stallAfter: 3000 }]);
    const controller = new AbortController();
    const stored = memoryFile();
    const done = downloadFile(URL_, spec, stored, optionsFor(server, { signal: controller.signal, stallTimeoutMs: 60_000 }).options);
    setTimeout(() => controller.abort(new Error('load cancelled')), 20);
    await expect(done).rejects.toThrow('load cancelled');
    // What arrived stays stored for the next load to resume from.
    expect(stored.bytes().length).toBe(3000);
  });
});
