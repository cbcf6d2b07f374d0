import { proxy, transfer, type Remote } from 'comlink';
import type { Capabilities } from '../core/capabilities.ts';
import type { CachedBundle, EngineWorkerApi } from '../core/engine/api.ts';
import { comparisonSummary } from '../core/engine/comparisonSummary.ts';
import { NEEDS_SENTENCE_MODEL } from '../core/engine/confidence.ts';
import type { CachedEmbedder, EmbedderLoadEvent, EmbedderSource } from '../core/engine/embedder.ts';
import type { FinishedAnswerTokens, GenerateEvent, GenerateRequest, GenerateResult } from '../core/engine/generate.ts';
import type { BundleSource, LoadEvent, LoadOptions } from '../core/engine/load.ts';
import type { LocalizeEvent, LocalizeRecord } from '../core/engine/localize.ts';
import type { RankEvent, RankResult } from '../core/engine/rank.ts';
import { AppError, serializeError } from '../core/errors.ts';
import { useEmbedderStore } from '../state/useEmbedderStore.ts';
import { useModelStore } from '../state/useModelStore.ts';
import { useRunStore, type RunRequest } from '../state/useRunStore.ts';
import type { EndMoment } from './e2eHooks.ts';
import { ImageRefs, streamJob, type PageLocalizeRequest, type PageRankRequest } from './streamJob.ts';
import { WorkerConnection, type StartWorker } from './WorkerConnection.ts';

type Worker = Remote<EngineWorkerApi>;

/** The sentence model the page asked for last, and where a new worker reads it again. */
interface WantedEmbedder {
  source: EmbedderSource;
  /** A download reopens from the cache; a folder from its files, which the page holds. */
  reopenFrom: EmbedderSource;
  /** The generation of the worker holding it; 0 while none does. */
  generation: number;
}

/** The model the page asked for last, and where a new worker reads it again. */
interface WantedModel {
  source: BundleSource;
  label: string;
  options: LoadOptions;
  randomWeights: boolean;
  /** The generation of the worker holding it; 0 while none does (loading, or its worker was lost). */
  generation: number;
  /** A downloaded bundle reopens from the cache (nothing is fetched); a folder from its files, which the page holds. */
  reopenFrom: BundleSource;
  /** Ids of the images whose features the worker holds for this model: later requests name them without bytes. */
  held: Set<string>;
}

export interface PageEngineOptions {
  /** Told of the moments the page's test hook can end the worker at. */
  atMoment?: (moment: EndMoment) => void;
}

/**
 * The page's side of the engine worker, and what components and actions call: it starts the worker, starts
 * another when it is lost and then reopens the model the page had before the request that needs it, sends each
 * image's bytes once per worker and model, and maps the engine's events into the model, embedder and run stores.
 */
export class PageEngine {
  private wanted: WantedModel | null = null;
  private wantedEmbedder: WantedEmbedder | null = null;
  /** The tokens of the answer shown, while its confidence waits for the sentence model. */
  private waiting: { summary: object; tokens: FinishedAnswerTokens } | null = null;
  private readonly connection: WorkerConnection<Worker>;
  private readonly atMoment: (moment: EndMoment) => void;

  constructor(start: StartWorker<Worker>, options: PageEngineOptions = {}) {
    this.atMoment = options.atMoment ?? (() => undefined);
    this.connection = new WorkerConnection(start, (error) => {
      // The running answer or load was failed with this error already; the model panel says what comes next.
      if (this.wanted !== null) {
        this.wanted.generation = 0;
        this.wanted.held.clear();
        useModelStore.getState().setLost(serializeError(error));
      }
      if (this.wantedEmbedder !== null) this.wantedEmbedder.generation = 0;
    });
  }

  capabilities(): Promise<Capabilities> {
    return this.connection.call((worker) => worker.capabilities());
  }

  /** Opens a bundle; progress, the model and a failure go to the model store. Never rejects. */
  async load(source: BundleSource, label: string, options: LoadOptions, randomWeights: boolean): Promise<void> {
    const model: WantedModel = { source, label, options, randomWeights, generation: 0, reopenFrom: source, held: new Set() };
    this.wanted = model;
    useModelStore.getState().startLoad(label);
    try {
      await this.connection.call((worker, generation) => this.open(worker, generation, model, source));
    } catch (error) {
      this.failLoad(model, error);
    }
  }

  /**
   * Answers one request; the answer streams into the run store, which also gets the outcome. Images the worker
   * holds go as ids (Regenerate sends no bytes); one it dropped since is sent again with its bytes. Never rejects.
   */
  async run(request: RunRequest): Promise<void> {
    useRunStore.getState().start(request);
    const { settings } = request;
    const question: Omit<GenerateRequest, 'images'> = {
      task: request.task,
      question: request.question,
      maxNewTokens: settings.maxNewTokens,
      ...(settings.sampling === null ? {} : { sampling: settings.sampling }),
      ...(settings.loopGuard ? { loopGuard: true } : {}),
    };
    try {
      await this.connection.call(async (worker, generation) => {
        const model = await this.ensureModel(worker, generation);
        await this.ensureEmbedder(worker, generation);
        const ask = async (held: ReadonlySet<string>) => {
          const refs = new ImageRefs(held);
          const images = await refs.slots(request.images);
          // Events of a worker already lost (queued before it ended) are not this run's any more.
          const send = (channel: (event: GenerateEvent) => void) => worker.generate(transfer({ ...question, images }, refs.buffers), proxy(channel));
          return streamJob<GenerateEvent, GenerateResult>(send, (event) => {
            if (this.connection.generation === generation) this.applyAnswerEvent(event);
          });
        };
        let result: GenerateResult;
        try {
          result = await ask(model.held);
        } catch (error) {
          if (!(error instanceof AppError && error.code === 'IMAGE_NOT_ENCODED')) throw error;
          model.held.clear();
          result = await ask(model.held);
        }
        for (const image of Object.values(result.images)) model.held.add(image.id);
      });
    } catch (error) {
      useRunStore.getState().fail(serializeError(error));
    }
  }

  /**
   * Ranks candidates with the engine (reopening the model on a new worker if the last was lost); events arrive in
   * order on `onEvent` (those of a worker lost meanwhile are dropped). Rejects with the engine's error.
   */
  rank(request: PageRankRequest, onEvent: (event: RankEvent) => void): Promise<RankResult> {
    return this.connection.call(async (worker, generation) => {
      await this.ensureModel(worker, generation);
      const refs = new ImageRefs();
      const rank = await refs.rank(request);
      const send = (channel: (event: RankEvent) => void) => worker.rank(transfer(rank, refs.buffers), proxy(channel));
      return streamJob<RankEvent, RankResult>(send, (event) => {
        if (this.connection.generation !== generation) return;
        onEvent(event);
        if (event.type === 'comparison') this.atMoment('rank-comparison');
      });
    });
  }

  /**
   * Makes a local quality map of the slots' images (reopening the model on a new worker if the last was lost); each
   * tile's event arrives in order on `onEvent`. Rejects with the engine's error.
   */
  localize(request: PageLocalizeRequest, onEvent: (event: LocalizeEvent) => void): Promise<LocalizeRecord> {
    return this.connection.call(async (worker, generation) => {
      await this.ensureModel(worker, generation);
      const refs = new ImageRefs();
      const map = await refs.localize(request);
      const send = (channel: (event: LocalizeEvent) => void) => worker.localize(transfer(map, refs.buffers), proxy(channel));
      return streamJob<LocalizeEvent, LocalizeRecord>(send, (event) => {
        if (this.connection.generation === generation) onEvent(event);
      });
    });
  }

  /** Stops the running answer, ranking or map; starts no worker when none runs. */
  async cancel(): Promise<void> {
    await this.connection.ifRunning((worker) => worker.cancel());
  }

  cachedBundles(): Promise<CachedBundle[]> {
    return this.connection.call((worker) => worker.cachedBundles());
  }

  deleteCachedBundle(key: string): Promise<void> {
    return this.connection.call((worker) => worker.deleteCachedBundle(key));
  }

  clearBundleCache(): Promise<void> {
    return this.connection.call((worker) => worker.clearBundleCache());
  }

  /**
   * Loads the sentence model of the detailed-answer confidence; progress, the outcome and a failure go to the
   * embedder store. Once loaded, the answer shown gets its confidence if it was waiting for it. Never rejects.
   */
  async loadEmbedder(source: EmbedderSource, label: string): Promise<void> {
    const embedder: WantedEmbedder = { source, reopenFrom: source, generation: 0 };
    const before = this.wantedEmbedder;
    this.wantedEmbedder = embedder;
    useEmbedderStore.getState().startLoad(label);
    try {
      await this.connection.call((worker, generation) => this.openEmbedder(worker, generation, embedder, source));
    } catch (error) {
      if (this.wantedEmbedder !== embedder) return;
      // The engine keeps the sentence model it had until a new one opens (a lost worker reopens it).
      this.wantedEmbedder = before;
      useEmbedderStore.getState().setFailed(serializeError(error));
      return;
    }
    if (this.wantedEmbedder === embedder) await this.fillWaitingConfidence();
  }

  cachedEmbedders(): Promise<CachedEmbedder[]> {
    return this.connection.call((worker) => worker.cachedEmbedders());
  }

  deleteCachedEmbedder(key: string): Promise<void> {
    return this.connection.call((worker) => worker.deleteCachedEmbedder(key));
  }

  /** Opens `embedder` on the worker of `generation` from `from`; progress goes to the store while it is wanted. */
  private async openEmbedder(worker: Worker, generation: number, embedder: WantedEmbedder, from: EmbedderSource): Promise<void> {
    const onEvent = (event: EmbedderLoadEvent) => {
      if (this.connection.generation === generation && this.wantedEmbedder === embedder) useEmbedderStore.getState().setProgress(event.progress);
    };
    const info = await worker.loadEmbedder(from, proxy(onEvent));
    embedder.generation = generation;
    if (info.cacheKey !== null) embedder.reopenFrom = { kind: 'cache', key: info.cacheKey };
    if (this.wantedEmbedder === embedder) useEmbedderStore.getState().setReady(info);
  }

  /**
   * The wanted sentence model on this worker (reopened when the worker that held it was lost). A failure is the
   * embedder store's: the answer goes on, its detailed confidence then waits for the sentence model.
   */
  private async ensureEmbedder(worker: Worker, generation: number): Promise<void> {
    const embedder = this.wantedEmbedder;
    if (embedder === null || embedder.generation === generation) return;
    try {
      await this.openEmbedder(worker, generation, embedder, embedder.reopenFrom);
    } catch (error) {
      if (isLoss(error)) throw error;
      if (this.wantedEmbedder === embedder) {
        this.wantedEmbedder = null;
        useEmbedderStore.getState().setFailed(serializeError(error));
      }
    }
  }

  /** The shown answer's detailed confidence, once the sentence model is there; the answer is not generated again. */
  private async fillWaitingConfidence(): Promise<void> {
    const pending = this.waiting;
    if (pending === null || this.wantedEmbedder === null || useRunStore.getState().summary !== pending.summary) return;
    try {
      const report = await this.connection.call(async (worker, generation) => {
        await this.ensureModel(worker, generation);
        await this.ensureEmbedder(worker, generation);
        return worker.detailConfidence(pending.tokens);
      });
      // Another answer (or a saved one) may be shown by now.
      if (useRunStore.getState().summary !== pending.summary) return;
      this.waiting = null;
      useRunStore.getState().fillConfidence(report);
    } catch (error) {
      useEmbedderStore.getState().setFailed(serializeError(error));
    }
  }

  /** Loads `model` from `from` on the worker of `generation`; its events are dropped once that worker is gone. */
  private async open(worker: Worker, generation: number, model: WantedModel, from: BundleSource): Promise<void> {
    const onEvent = (event: LoadEvent) => {
      if (this.connection.generation !== generation || event.type !== 'progress') return;
      useModelStore.getState().setProgress(event.progress);
      this.atMoment('first-load-progress');
    };
    model.held.clear();
    const info = await worker.load(from, proxy(onEvent), model.options);
    model.generation = generation;
    if (info.cacheKey !== null) model.reopenFrom = { kind: 'cache', key: info.cacheKey };
    if (this.wanted === model) useModelStore.getState().setReady(info, model.randomWeights);
  }

  /** The wanted model on this worker: reopened first when the worker that held it was lost. */
  private async ensureModel(worker: Worker, generation: number): Promise<WantedModel> {
    const model = this.wanted;
    if (model === null) throw new AppError('ENGINE_NOT_LOADED', 'No model is loaded.', { hint: 'Load a model bundle first.' });
    if (model.generation === generation) return model;
    useModelStore.getState().startLoad(model.label);
    try {
      await this.open(worker, generation, model, model.reopenFrom);
    } catch (error) {
      // A cached copy deleted since is downloaded again from where it came from.
      if (isLoss(error) || model.reopenFrom === model.source) throw this.failLoad(model, error);
      try {
        await this.open(worker, generation, model, model.source);
      } catch (again) {
        throw this.failLoad(model, again);
      }
    }
    return model;
  }

  private failLoad(model: WantedModel, error: unknown): unknown {
    if (this.wanted === model && !isLoss(error)) {
      this.wanted = null;
      useModelStore.getState().setFailed(serializeError(error));
    }
    return error;
  }

  /** One answer event into the run store. */
  private applyAnswerEvent(event: GenerateEvent): void {
    const state = useRunStore.getState();
    if (event.type === 'start') {
      const seed = event.sampling.temperature > 0 ? event.sampling.seed : null;
      state.setRunning(event.prompt.question, { hasReference: event.prompt.hasReference, questionIndex: event.prompt.questionIndex, seed });
    } else if (event.type === 'prefill') {
      state.setPrefill(event.done, event.total);
    } else if (event.type === 'tokens') {
      state.appendText(event.text);
      this.atMoment('first-tokens');
    } else if (event.type === 'done') {
      const { text, rawText, ids, probabilities, verdict, distortion, comparison, confidence, stats, stopReason } = event.result;
      state.finish(text, { verdict, distortion, confidence: comparisonSummary(comparison), confidenceReport: confidence, comparison, stats, stopReason });
      const summary = useRunStore.getState().summary;
      // Only the tokens of an answer waiting for the sentence model are kept (the page keeps no token ids otherwise).
      this.waiting = summary !== null && confidence?.reason === NEEDS_SENTENCE_MODEL ? { summary, tokens: { rawText, ids, probabilities } } : null;
    }
  }
}

function isLoss(error: unknown): boolean {
  return error instanceof AppError && error.code === 'ENGINE_WORKER_LOST';
}
