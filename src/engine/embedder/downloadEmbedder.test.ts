import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../core/bundle/bundleFiles.ts';
import { EMBEDDER_FILES } from '../../core/embedder/embedderFiles.ts';
import { downloadEmbedderFiles, type EmbedderTarget } from './downloadEmbedder.ts';

const PREFIX = 'https://models.example/minilm/';

/** Each file's bytes by path; the body arrives in `chunk`-byte pieces. */
function server(files: Record<string, Uint8Array | number>, options: { chunk?: number; declared?: Record<string, number>; dropAfter?: Record<string, number> } = {}) {
  const requests: string[] = [];
  const cancelled: string[] = [];
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = String(input);
    requests.push(url);
    const path = url.slice(PREFIX.length);
    const file = files[path];
    if (file === undefined) return new Response('not found', { status: 404 });
    if (typeof file === 'number') return new Response('busy', { status: file });
    const chunk = options.chunk ?? 4;
    const dropAt = options.dropAfter?.[path];
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (dropAt !== undefined && offset >= dropAt) return controller.error(new TypeError('network error'));
        if (offset >= file.length) return controller.close();
        controller.enqueue(file.slice(offset, offset + chunk));
        offset += chunk;
      },
      cancel: () => void cancelled.push(path),
    });
    const length = options.declared?.[path] ?? file.length;
    return new Response(body, { headers: { 'Content-Length': String(length) } });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests, cancelled };
}

function memoryTarget() {
  const stored = new Map<string, number[]>();
  const closed: string[] = [];
  const target: EmbedderTarget = {
    file: async (path) => ({
      size: async () => stored.get(path)?.length ?? 0,
      stream: () => {
        throw new Error('a file of unknown length is never resumed');
      },
      open: async (offset) => {
        stored.set(path, (stored.get(path) ?? []).slice(0, offset));
        return {
          write: async (chunk) => void stored.get(path)!.push(...chunk),
          close: async () => void closed.push(path),
        };
      },
    }),
  };
  return { target, stored, closed };
}

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 255);
const whole = { 'config.json': bytes(10, 1), 'tokenizer.json': bytes(20, 2), 'tokenizer_config.json': bytes(6, 3), 'onnx/model.onnx': bytes(64, 4) };

describe('downloadEmbedderFiles', () => {
  it('stores every file as served and reports progress over all of them, each file from its start to its end', async () => {
    const { fetch, requests } = server(whole);
    const { target, stored, closed } = memoryTarget();
    const progress: LoadProgress[] = [];
    let clock = 0;
    const sizes = await downloadEmbedderFiles(PREFIX, target, { fetch, onProgress: (event) => progress.push(event), intervalMs: 0, now: () => (clock += 10) });

    expect(sizes).toEqual({ 'config.json': 10, 'tokenizer.json': 20, 'tokenizer_config.json': 6, 'onnx/model.onnx': 64 });
    expect(requests.sort()).toEqual(EMBEDDER_FILES.map((path) => PREFIX + path).sort());
    for (const [path, content] of Object.entries(whole)) expect(stored.get(path)).toEqual([...content]);
    expect(closed.sort()).toEqual([...EMBEDDER_FILES].sort());
    // Totals are known from the start (every request is made first); bytes only grow, up to the total.
    expect(progress.every((event) => event.bytesTotal === 100 && !event.fromCache)).toBe(true);
    const loaded = progress.map((event) => event.bytesLoaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ file: 'onnx/model.onnx', fileBytesLoaded: 64, fileBytesTotal: 64, bytesLoaded: 100 });
    expect(progress.filter((event) => event.file === 'onnx/model.onnx').length).toBeGreaterThan(3);
  });

  it('names a missing file and its URL, and lets the other answers go', async () => {
    const { 'tokenizer.json': _, ...lacking } = whole;
    const { fetch, cancelled } = server(lacking);
    const { target, stored } = memoryTarget();
    const failure = downloadEmbedderFiles(PREFIX, target, { fetch });
    await expect(failure).rejects.toMatchObject({
      code: 'BUNDLE_FILE_MISSING',
      message: `tokenizer.json of the sentence model: the server answered 404 Not Found for ${PREFIX}tokenizer.json.`,
    });
    expect(stored.size).toBe(0);
    expect(cancelled.sort()).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer_config.json']);
  });

  it('says what a server error and a refused connection were', async () => {
    await expect(downloadEmbedderFiles(PREFIX, memoryTarget().target, { fetch: server({ ...whole, 'config.json': 503 }).fetch })).rejects.toMatchObject({
      code: 'BUNDLE_DOWNLOAD_FAILED',
      message: `config.json of the sentence model: the server answered 503 for ${PREFIX}config.json.`,
    });
    const refused = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    await expect(downloadEmbedderFiles(PREFIX, memoryTarget().target, { fetch: refused })).rejects.toMatchObject({
      code: 'BUNDLE_DOWNLOAD_FAILED',
      message: `config.json of the sentence model could not be fetched from ${PREFIX}config.json: Failed to fetch.`,
      hint: expect.stringContaining('CORS'),
    });
  });

  it('starts a dropped file again, and fails naming the file when it gets no further or is shorter than its Content-Length', async () => {
    // One drop, then a whole answer: the file is stored whole, and the progress went back before it grew again.
    let drops = 1;
    const flaky = server(whole, { dropAfter: { 'onnx/model.onnx': 16 } });
    const recovering = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).endsWith('model.onnx') && drops-- <= 0) return server(whole).fetch(input, init);
      return flaky.fetch(input, init);
    }) as typeof fetch;
    const recovered = memoryTarget();
    const progress: LoadProgress[] = [];
    await downloadEmbedderFiles(PREFIX, recovered.target, { fetch: recovering, retryBaseMs: 0, intervalMs: 0, onProgress: (event) => progress.push(event) });
    expect(recovered.stored.get('onnx/model.onnx')).toEqual([...whole['onnx/model.onnx']]);
    const modelLoaded = progress.filter((event) => event.file === 'onnx/model.onnx').map((event) => event.fileBytesLoaded);
    expect(modelLoaded).toContain(16);
    expect(modelLoaded.at(-1)).toBe(64);

    const dropped = server(whole, { dropAfter: { 'onnx/model.onnx': 16 } });
    await expect(downloadEmbedderFiles(PREFIX, memoryTarget().target, { fetch: dropped.fetch, retryBaseMs: 0, maxAttempts: 3 })).rejects.toMatchObject({
      code: 'BUNDLE_DOWNLOAD_FAILED',
      message: `onnx/model.onnx of the sentence model: the download failed 3 times in a row (the connection dropped after 16 bytes: network error; ${PREFIX}onnx/model.onnx).`,
    });
    // The first answer and three more attempts that got no further.
    expect(dropped.requests.filter((url) => url.endsWith('model.onnx'))).toHaveLength(4);

    const short = server(whole, { declared: { 'tokenizer.json': 30 } });
    const { target, closed } = memoryTarget();
    await expect(downloadEmbedderFiles(PREFIX, target, { fetch: short.fetch, retryBaseMs: 0, maxAttempts: 2 })).rejects.toMatchObject({
      message: `tokenizer.json of the sentence model: the download failed 2 times in a row (the server sent 20 of 30 bytes; ${PREFIX}tokenizer.json).`,
    });
    // What was opened is closed; the files after it are not started.
    expect(new Set(closed)).toEqual(new Set(['config.json', 'tokenizer.json']));
    expect(short.cancelled.sort()).toEqual(['onnx/model.onnx', 'tokenizer_config.json']);
  });

  it('stops a stalled body and asks again', async () => {
    let stalls = 1;
    const { fetch: wholeFetch } = server(whole);
    const stalling = (async (input: string | URL | Request, init?: RequestInit) => {
      if (String(input).endsWith('tokenizer.json') && stalls-- > 0) {
        return new Response(new ReadableStream({ pull: () => new Promise(() => undefined) }), { headers: { 'Content-Length': '20' } });
      }
      return wholeFetch(input, init);
    }) as typeof fetch;
    const { target, stored } = memoryTarget();
    await downloadEmbedderFiles(PREFIX, target, { fetch: stalling, retryBaseMs: 0, stallTimeoutMs: 100 });
    expect(stored.get('tokenizer.json')).toEqual([...whole['tokenizer.json']]);
  });
});
