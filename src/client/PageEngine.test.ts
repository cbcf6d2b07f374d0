import type { Remote } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerateEvent, GenerateRequest, GenerateResult } from '../core/engine/generate.ts';
import type { BundleSource, LoadedModelInfo, LoadEvent, LoadOptions } from '../core/engine/load.ts';
import type { EngineWorkerApi } from '../core/engine/api.ts';
import { AppError, serializeError } from '../core/errors.ts';
import { useModelStore } from '../state/useModelStore.ts';
import { useRunStore, type RunRequest } from '../state/useRunStore.ts';
import { PageEngine } from './PageEngine.ts';
import type { StartWorker } from './WorkerConnection.ts';
import { DEPICTQA_WILD_RULE } from '../core/vision/resizeRule.ts';

/** One fake engine worker: records what it was asked, and answers when the test says. */
class FakeWorker {
  terminated = false;
  loads: Array<{ source: BundleSource; options: LoadOptions | undefined }> = [];
  requests: GenerateRequest[] = [];
  /** The running answer's event channel. */
  emit: (event: GenerateEvent) => void = () => undefined;
  /** A load that fails with this error (once). */
  failLoad: AppError | null = null;
  /** Loads that fail, in turn. */
  failLoads: AppError[] = [];
  /** Set to hold the next load until the test loses the worker. */
  holdLoad = false;

  constructor(
    readonly lose: (error: AppError) => void,
    private readonly cacheKey: string | null,
  ) {}

  readonly api = {
    capabilities: async () => ({}) as never,
    load: async (source: BundleSource, onEvent?: (event: LoadEvent) => void, options?: LoadOptions): Promise<LoadedModelInfo> => {
      this.loads.push({ source, options });
      onEvent?.({ type: 'progress', progress: { file: 'manifest.json', fileBytesLoaded: 1, fileBytesTotal: 1, bytesLoaded: 1, bytesTotal: 1, bytesPerSecond: 0, etaSeconds: null, fromCache: true } });
      if (this.holdLoad) return new Promise<never>(() => undefined);
      const failure = this.failLoad ?? this.failLoads.shift() ?? null;
      this.failLoad = null;
      if (failure !== null) throw failure;
      return { ...MODEL, cacheKey: source.kind === 'files' ? null : this.cacheKey };
    },
    // The call's own reply never comes: the answer must settle on its done event alone.
    generate: (request: GenerateRequest, onEvent?: (event: GenerateEvent) => void): Promise<void> => {
      this.requests.push(request);
      this.emit = onEvent ?? (() => undefined);
      return new Promise<never>(() => undefined);
    },
    cancel: async () => undefined,
    cachedBundles: async () => [],
  };
}

const MODEL: LoadedModelInfo = {
  name: 'tiny',
  source: 'https://models.example/tiny/',
  variant: 'q4',
  backend: 'wasm',
  maxContext: 256,
  prefillChunk: 32,
  hasVisionEncoder: true,
  decode: { graphCapture: false, reason: 'the CPU backend runs no GPU commands to capture' },
  imageRule: DEPICTQA_WILD_RULE,
  cacheKey: null,
  llm: { layers: 2, hiddenSize: 64, vocabSize: 320 },
  loadMs: 1,
};

const URL_SOURCE: BundleSource = { kind: 'url', url: 'https://models.example/tiny/' };
const OPTIONS: LoadOptions = { variant: 'q4', maxContext: 256 };

/** `onStart` sets up each new worker before it is first called. */
function setup(cacheKey: string | null = 'key-1', onStart: (worker: FakeWorker, index: number) => void = () => undefined): { client: PageEngine; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const start: StartWorker<Remote<EngineWorkerApi>> = (onLost) => {
    const worker = new FakeWorker(onLost, cacheKey);
    onStart(worker, workers.length);
    workers.push(worker);
    return { remote: worker.api as unknown as Remote<EngineWorkerApi>, terminate: () => void (worker.terminated = true) };
  };
  return { client: new PageEngine(start), workers };
}

function runRequest(): RunRequest {
  const blob = new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' });
  const image = { id: 'aa11', name: 'a.png', format: 'PNG', bytes: 4, width: 1, height: 1, exifRotated: false, blob, previewUrl: '' };
  return { task: 'description', images: { a: image }, question: { index: 0 }, settings: { sampling: null, maxNewTokens: 8, loopGuard: false } };
}

function result(text: string): GenerateResult {
  return { text, rawText: text, ids: [1], stopReason: 'eos', verdict: null, distortion: null, comparison: null, confidence: null, stats: {} as never, images: {} } as unknown as GenerateResult;
}

const startEvent: GenerateEvent = {
  type: 'start',
  prompt: { task: 'description', kind: 'single_no_reference', hasReference: false, question: 'Q?', questionIndex: 0, segments: [], positions: 9 },
  sampling: { temperature: 0, topP: 0.9, topK: 50, repetitionPenalty: 1, noRepeatNgramSize: 0, seed: 3 },
  maxNewTokens: 8,
};

const lostError = () => new AppError('ENGINE_WORKER_LOST', 'The engine stopped.', { hint: 'Run again.' });

/** Resolves once the fake worker has been asked to generate (the run reads its images first). */
async function generating(worker: FakeWorker, count = 1): Promise<void> {
  while (worker.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 0));
}

const initialRun = useRunStore.getState();
const initialModel = useModelStore.getState();
afterEach(() => {
  useRunStore.setState(initialRun, true);
  useModelStore.setState(initialModel, true);
});

describe('the page engine', () => {
  it('sends the images in the one request and settles the run on the done event, in order after the tokens', async () => {
    const { client, workers } = setup();
    await client.load(URL_SOURCE, 'tiny', OPTIONS, true);
    expect(useModelStore.getState()).toMatchObject({ status: 'ready', randomWeights: true, model: { cacheKey: 'key-1' } });

    const running = client.run(runRequest());
    const worker = workers[0]!;
    await generating(worker);
    const sent = worker.requests[0]!;
    expect(sent).toMatchObject({ task: 'description', question: { index: 0 }, maxNewTokens: 8 });
    expect(sent.images.a).toEqual({ id: 'aa11', name: 'a.png', bytes: new Uint8Array([137, 80, 78, 71]) });
    worker.emit(startEvent);
    worker.emit({ type: 'tokens', text: 'sharp', ids: [1] });
    expect(useRunStore.getState()).toMatchObject({ status: 'running', text: 'sharp', question: 'Q?' });
    worker.emit({ type: 'tokens', text: ' and clean\n </s>', ids: [2, 3] });
    worker.emit({ type: 'done', result: result('sharp and clean') });
    await running;
    expect(useRunStore.getState()).toMatchObject({ status: 'done', text: 'sharp and clean' });
  });

  it('fails the run on the engine error event, with its code and hint', async () => {
    const { client, workers } = setup();
    await client.load(URL_SOURCE, 'tiny', OPTIONS, false);
    const running = client.run(runRequest());
    await generating(workers[0]!);
    workers[0]!.emit({ type: 'error', error: serializeError(new AppError('CONTEXT_TOO_LONG', 'Too long.', { hint: 'Shorter.' })) });
    await running;
    expect(useRunStore.getState()).toMatchObject({ status: 'failed', error: { code: 'CONTEXT_TOO_LONG', hint: 'Shorter.' } });
  });

  it('a worker lost mid-answer fails the run with its partial text; the next run starts a worker that reopens the model from the cache', async () => {
    const { client, workers } = setup();
    await client.load(URL_SOURCE, 'tiny', OPTIONS, false);
    const interrupted = client.run(runRequest());
    const first = workers[0]!;
    await generating(first);
    first.emit(startEvent);
    first.emit({ type: 'tokens', text: 'The image', ids: [1, 2] });
    first.lose(lostError());
    await interrupted;
    expect(useRunStore.getState()).toMatchObject({ status: 'failed', text: 'The image', error: { code: 'ENGINE_WORKER_LOST', hint: 'Run again.' } });
    expect(useModelStore.getState()).toMatchObject({ status: 'lost', model: { name: 'tiny' }, error: { code: 'ENGINE_WORKER_LOST' } });
    expect(first.terminated).toBe(true);
    // A batch the dead worker had sent before it ended is not the next run's.
    first.emit({ type: 'tokens', text: ' is', ids: [3] });
    expect(useRunStore.getState().text).toBe('The image');

    const next = client.run(runRequest());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(workers).toHaveLength(2);
    const second = workers[1]!;
    await generating(second);
    // Downloaded once: reopened by its cache key, with the options it was loaded with.
    expect(second.loads).toEqual([{ source: { kind: 'cache', key: 'key-1' }, options: OPTIONS }]);
    expect(useModelStore.getState()).toMatchObject({ status: 'ready', error: null });
    second.emit(startEvent);
    second.emit({ type: 'done', result: result('A sharp image.') });
    await next;
    expect(useRunStore.getState()).toMatchObject({ status: 'done', text: 'A sharp image.' });
    // The model stays open on the new worker: the run after opens nothing.
    const third = client.run(runRequest());
    await generating(second, 2);
    second.emit({ type: 'done', result: result('Again.') });
    await third;
    expect(second.loads).toHaveLength(1);
  });

  it('a worker lost mid-load leaves the model to reopen at the next run, from the source it was loading', async () => {
    // The first worker never finishes the load: it is lost during it.
    const { client, workers } = setup(null, (worker, index) => void (worker.holdLoad = index === 0));
    const folder: BundleSource = { kind: 'files', files: [] };
    const loading = client.load(folder, 'tiny-folder', OPTIONS, false);
    expect(useModelStore.getState()).toMatchObject({ status: 'loading', progress: { fromCache: true } });
    workers[0]!.lose(lostError());
    await loading;
    expect(useModelStore.getState()).toMatchObject({ status: 'lost', source: 'tiny-folder', error: { code: 'ENGINE_WORKER_LOST' } });

    const run = client.run(runRequest());
    await generating(workers[1]!);
    expect(workers[1]!.loads.map((load) => load.source)).toEqual([folder]);
    workers[1]!.emit({ type: 'done', result: result('ok') });
    await run;
    expect(useRunStore.getState().status).toBe('done');
  });

  it('a cached copy deleted since is read again from where it came from; a reopen that fails says so in the model panel', async () => {
    // The second worker finds the cache entry gone (once); the third finds neither the cache entry nor the server.
    const notFound = () => new AppError('BUNDLE_NOT_FOUND', 'Not found.');
    const { client, workers } = setup('key-1', (worker, index) => {
      if (index === 1) worker.failLoad = notFound();
      if (index === 2) worker.failLoads = [notFound(), notFound()];
    });
    await client.load(URL_SOURCE, 'tiny', OPTIONS, false);
    workers[0]!.lose(lostError());

    const run = client.run(runRequest());
    await generating(workers[1]!);
    expect(workers[1]!.loads.map((load) => load.source)).toEqual([{ kind: 'cache', key: 'key-1' }, URL_SOURCE]);
    workers[1]!.emit({ type: 'done', result: result('ok') });
    await run;
    expect(useRunStore.getState().status).toBe('done');

    workers[1]!.lose(lostError());
    await client.run(runRequest());
    expect(workers[2]!.loads).toHaveLength(2);
    expect(useRunStore.getState()).toMatchObject({ status: 'failed', error: { code: 'BUNDLE_NOT_FOUND' } });
    expect(useModelStore.getState()).toMatchObject({ status: 'failed', error: { code: 'BUNDLE_NOT_FOUND' } });
  });

  it('cancel starts no worker when none runs', async () => {
    const { client, workers } = setup();
    await client.cancel();
    expect(workers).toHaveLength(0);
  });

  it('Regenerate names the images the worker holds by id, with no bytes; a new worker or a new model gets the bytes again', async () => {
    const { client, workers } = setup();
    await client.load(URL_SOURCE, 'tiny', OPTIONS, false);
    const held = { a: { id: 'aa11', name: 'a.png', width: 1, height: 1, grid: { height: 1, width: 1 }, rows: 1, visionMs: 1, cached: false } };
    const answer = async (index: number, count: number) => {
      const run = client.run(runRequest());
      await new Promise((resolve) => setTimeout(resolve, 0));
      const worker = workers[index]!;
      await generating(worker, count);
      worker.emit({ type: 'done', result: { ...result('ok'), images: held } });
      await run;
      return worker.requests[count - 1]!.images.a;
    };
    expect(await answer(0, 1)).toMatchObject({ id: 'aa11', bytes: new Uint8Array([137, 80, 78, 71]) });
    expect(await answer(0, 2)).toBe('aa11');

    workers[0]!.lose(lostError());
    expect(await answer(1, 1)).toMatchObject({ id: 'aa11', bytes: expect.any(Uint8Array) });
    expect(await answer(1, 2)).toBe('aa11');

    await client.load(URL_SOURCE, 'tiny', OPTIONS, false);
    expect(await answer(1, 3)).toMatchObject({ id: 'aa11', bytes: expect.any(Uint8Array) });
  });

  it('an image the worker dropped since (IMAGE_NOT_ENCODED) is sent again with its bytes, in the same run', async () => {
    const { client, workers } = setup();
    await client.load(URL_SOURCE, 'tiny', OPTIONS, false);
    const worker = workers[0]!;
    const held = { a: { id: 'aa11', name: 'a.png', width: 1, height: 1, grid: { height: 1, width: 1 }, rows: 1, visionMs: 1, cached: false } };
    const first = client.run(runRequest());
    await generating(worker, 1);
    worker.emit({ type: 'done', result: { ...result('ok'), images: held } });
    await first;

    const again = client.run(runRequest());
    await generating(worker, 2);
    expect(worker.requests[1]!.images.a).toBe('aa11');
    worker.emit({ type: 'error', error: serializeError(new AppError('IMAGE_NOT_ENCODED', 'No encoded image has id aa11…')) });
    await generating(worker, 3);
    expect(worker.requests[2]!.images.a).toMatchObject({ id: 'aa11', bytes: expect.any(Uint8Array) });
    worker.emit({ type: 'done', result: { ...result('again'), images: held } });
    await again;
    expect(useRunStore.getState()).toMatchObject({ status: 'done', text: 'again' });
  });
});
