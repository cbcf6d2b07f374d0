import { proxy, type Remote } from 'comlink';
import type { Capabilities } from '../core/capabilities.ts';
import { NEEDS_SENTENCE_MODEL } from '../core/engine/confidence.ts';
import type { CachedEmbedder, EmbedderLoadEvent, EmbedderSource } from '../core/engine/embedder.ts';
import type { FinishedAnswerTokens, GenerateEvent } from '../core/engine/generate.ts';
import type { BundleSource, LoadEvent, LoadOptions } from '../core/engine/load.ts';
import { comparisonSummary } from '../core/engine/comparisonSummary.ts';
import type { CachedBundle, EngineApi } from '../core/engine/api.ts';
import { AppError, serializeError } from '../core/errors.ts';
import { useEmbedderStore } from '../state/useEmbedderStore.ts';
import { useModelStore } from '../state/useModelStore.ts';
import { useRunStore, type RunRequest } from '../state/useRunStore.ts';
import { streamAnswer, withImageBytes } from './answerStream.ts';
import { rankWithBytes, streamRank, type PageRankRequest } from './rankStream.ts';
import type { RankEvent, RankResult } from '../core/engine/rank.ts';
import type { EndMoment } from './e2eHooks.ts';
import { WorkerConnection, type StartWorker } from './WorkerConnection.ts';

/** The page's engine: what components and actions call. Outcomes of loads and runs go to the stores. */
export interface EngineClient {
  capabilities(): Promise<Capabilities>;
  /** Opens a bundle; progress, the model and a failure go to the model store. */
  load(source: BundleSource, label: string, options: LoadOptions, randomWeights: boolean): Promise<void>;
  /** Answers one request; the answer streams into the run store, which also gets the outcome. Never rejects. */
  run(request: RunRequest): Promise<void>;
  /**
   * Ranks candidates with the engine (reopening the model on a new worker if the last was lost); events arrive in
   * order on `onEvent` (those of a worker lost meanwhile are dropped). Rejects with the engine's error.
   */
  rank(request: PageRankRequest, onEvent: (event: RankEvent) => void): Promise<RankResult>;
  /** Stops the running answer or ranking; starts no worker when none runs. */
  cancel(): Promise<void>;
  cachedBundles(): Promise<CachedBundle[]>;
  deleteCachedBundle(key: string): Promise<void>;
  clearBundleCache(): Promise<void>;
  /**
   * Loads the sentence model of the detailed-answer confidence; progress, the outcome and a failure go to the
   * embedder store. Once loaded, the answer shown gets its confidence if it was waiting for it. Never rejects.
   */
  loadEmbedder(source: EmbedderSource, label: string): Promise<void>;
  cachedEmbedders(): Promise<CachedEmbedder[]>;
  deleteCachedEmbedder(key: string): Promise<void>;
}

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
}

export interface EngineClientOptions {
  /** Told of the moments the page's test hook can end the worker at. */
  atMoment?: (moment: EndMoment) => void;
}

/**
 * The page's side of the engine worker: starts it, starts another when it is lost, and then reopens the model
 * the page had before the request that needs it; maps the engine's events into the model and run stores.
 */
export function createEngineClient(start: StartWorker<Remote<EngineApi>>, options: EngineClientOptions = {}): EngineClient {
  const atMoment = options.atMoment ?? (() => undefined);
  let wanted: WantedModel | null = null;
  let wantedEmbedder: WantedEmbedder | null = null;
  /** The tokens of the answer shown, while its confidence waits for the sentence model. */
  let waiting: { summary: object; tokens: FinishedAnswerTokens } | null = null;
  const connection = new WorkerConnection(start, (error) => {
    // The running answer or load was failed with this error already; the model panel says what comes next.
    if (wanted !== null) {
      wanted.generation = 0;
      useModelStore.getState().setLost(serializeError(error));
    }
    if (wantedEmbedder !== null) wantedEmbedder.generation = 0;
  });

  /** Opens `embedder` on the worker of `generation` from `from`; progress goes to the store while it is wanted. */
  async function openEmbedder(engine: Remote<EngineApi>, generation: number, embedder: WantedEmbedder, from: EmbedderSource): Promise<void> {
    const onEvent = (event: EmbedderLoadEvent) => {
      if (connection.generation === generation && wantedEmbedder === embedder) useEmbedderStore.getState().setProgress(event.progress);
    };
    const info = await engine.loadEmbedder(from, proxy(onEvent));
    embedder.generation = generation;
    if (info.cacheKey !== null) embedder.reopenFrom = { kind: 'cache', key: info.cacheKey };
    if (wantedEmbedder === embedder) useEmbedderStore.getState().setReady(info);
  }

  /**
   * The wanted sentence model on this worker (reopened when the worker that held it was lost). A failure is the
   * embedder store's: the answer goes on, its detailed confidence then waits for the sentence model.
   */
  async function ensureEmbedder(engine: Remote<EngineApi>, generation: number): Promise<void> {
    const embedder = wantedEmbedder;
    if (embedder === null || embedder.generation === generation) return;
    try {
      await openEmbedder(engine, generation, embedder, embedder.reopenFrom);
    } catch (error) {
      if (isLoss(error)) throw error;
      if (wantedEmbedder === embedder) {
        wantedEmbedder = null;
        useEmbedderStore.getState().setFailed(serializeError(error));
      }
    }
  }

  /** The shown answer's detailed confidence, once the sentence model is there; the answer is not generated again. */
  async function fillWaitingConfidence(): Promise<void> {
    const pending = waiting;
    if (pending === null || wantedEmbedder === null || useRunStore.getState().summary !== pending.summary) return;
    try {
      const report = await connection.call(async (engine, generation) => {
        await ensureModel(engine, generation);
        await ensureEmbedder(engine, generation);
        return engine.detailConfidence(pending.tokens);
      });
      // Another answer (or a saved one) may be shown by now.
      if (useRunStore.getState().summary !== pending.summary) return;
      waiting = null;
      useRunStore.getState().fillConfidence(report);
    } catch (error) {
      useEmbedderStore.getState().setFailed(serializeError(error));
    }
  }

  /** Loads `model` from `from` on the worker of `generation`; its events are dropped once that worker is gone. */
  async function open(engine: Remote<EngineApi>, generation: number, model: WantedModel, from: BundleSource): Promise<void> {
    const onEvent = (event: LoadEvent) => {
      if (connection.generation !== generation || event.type !== 'progress') return;
      useModelStore.getState().setProgress(event.progress);
      atMoment('first-load-progress');
    };
    const info = await engine.load(from, proxy(onEvent), model.options);
    model.generation = generation;
    if (info.cacheKey !== null) model.reopenFrom = { kind: 'cache', key: info.cacheKey };
    if (wanted === model) useModelStore.getState().setReady(info, model.randomWeights);
  }

  /** The wanted model on this worker: reopened first when the worker that held it was lost. */
  async function ensureModel(engine: Remote<EngineApi>, generation: number): Promise<void> {
    const model = wanted;
    if (model === null) throw new AppError('ENGINE_NOT_LOADED', 'No model is loaded.', { hint: 'Load a model bundle first.' });
    if (model.generation === generation) return;
    useModelStore.getState().startLoad(model.label);
    try {
      await open(engine, generation, model, model.reopenFrom);
    } catch (error) {
      // A cached copy deleted since is downloaded again from where it came from.
      if (isLoss(error) || model.reopenFrom === model.source) throw failLoad(model, error);
      try {
        await open(engine, generation, model, model.source);
      } catch (again) {
        throw failLoad(model, again);
      }
    }
  }

  function failLoad(model: WantedModel, error: unknown): unknown {
    if (wanted === model && !isLoss(error)) {
      wanted = null;
      useModelStore.getState().setFailed(serializeError(error));
    }
    return error;
  }

  function applyAnswerEvent(event: GenerateEvent): void {
    const state = useRunStore.getState();
    if (event.type === 'start') {
      const seed = event.sampling.temperature > 0 ? event.sampling.seed : null;
      state.setRunning(event.prompt.question, { hasReference: event.prompt.hasReference, questionIndex: event.prompt.questionIndex, seed });
    } else if (event.type === 'prefill') {
      state.setPrefill(event.done, event.total);
    } else if (event.type === 'tokens') {
      state.appendText(event.text);
      atMoment('first-tokens');
    } else if (event.type === 'done') {
      const { text, rawText, ids, probabilities, verdict, distortion, comparison, confidence, stats, stopReason } = event.result;
      state.finish(text, { verdict, distortion, confidence: comparisonSummary(comparison), confidenceReport: confidence, comparison, stats, stopReason });
      const summary = useRunStore.getState().summary;
      // Only the tokens of an answer waiting for the sentence model are kept (the page keeps no token ids otherwise).
      waiting = summary !== null && confidence?.reason === NEEDS_SENTENCE_MODEL ? { summary, tokens: { rawText, ids, probabilities } } : null;
    }
  }

  return {
    capabilities: () => connection.call((engine) => engine.capabilities()),

    async load(source, label, loadOptions, randomWeights) {
      const model: WantedModel = { source, label, options: loadOptions, randomWeights, generation: 0, reopenFrom: source };
      wanted = model;
      useModelStore.getState().startLoad(label);
      try {
        await connection.call((engine, generation) => open(engine, generation, model, source));
      } catch (error) {
        failLoad(model, error);
      }
    },

    async run(request) {
      useRunStore.getState().start(request);
      const { settings } = request;
      try {
        await connection.call(async (engine, generation) => {
          await ensureModel(engine, generation);
          await ensureEmbedder(engine, generation);
          const { request: generate, buffers } = await withImageBytes(
            {
              task: request.task,
              question: request.question,
              maxNewTokens: settings.maxNewTokens,
              ...(settings.sampling === null ? {} : { sampling: settings.sampling }),
              ...(settings.loopGuard ? { loopGuard: true } : {}),
            },
            request.images,
          );
          // Events of a worker already lost (queued before it ended) are not this run's any more.
          await streamAnswer(engine, generate, buffers, (event) => {
            if (connection.generation === generation) applyAnswerEvent(event);
          });
        });
      } catch (error) {
        useRunStore.getState().fail(serializeError(error));
      }
    },

    rank: (request, onEvent) =>
      connection.call(async (engine, generation) => {
        await ensureModel(engine, generation);
        const { request: rank, buffers } = await rankWithBytes(request);
        return streamRank(engine, rank, buffers, (event) => {
          if (connection.generation !== generation) return;
          onEvent(event);
          if (event.type === 'comparison') atMoment('rank-comparison');
        });
      }),

    cancel: async () => {
      await connection.ifRunning((engine) => engine.cancel());
    },
    cachedBundles: () => connection.call((engine) => engine.cachedBundles()),
    deleteCachedBundle: (key) => connection.call((engine) => engine.deleteCachedBundle(key)),
    clearBundleCache: () => connection.call((engine) => engine.clearBundleCache()),

    async loadEmbedder(source, label) {
      const embedder: WantedEmbedder = { source, reopenFrom: source, generation: 0 };
      const before = wantedEmbedder;
      wantedEmbedder = embedder;
      useEmbedderStore.getState().startLoad(label);
      try {
        await connection.call((engine, generation) => openEmbedder(engine, generation, embedder, source));
      } catch (error) {
        if (wantedEmbedder !== embedder) return;
        // The engine keeps the sentence model it had until a new one opens (a lost worker reopens it).
        wantedEmbedder = before;
        useEmbedderStore.getState().setFailed(serializeError(error));
        return;
      }
      if (wantedEmbedder === embedder) await fillWaitingConfidence();
    },
    cachedEmbedders: () => connection.call((engine) => engine.cachedEmbedders()),
    deleteCachedEmbedder: (key) => connection.call((engine) => engine.deleteCachedEmbedder(key)),
  };
}

function isLoss(error: unknown): boolean {
  return error instanceof AppError && error.code === 'ENGINE_WORKER_LOST';
}
