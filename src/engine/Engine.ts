import { decideCapabilities, type Capabilities } from '../core/capabilities.ts';
import { picksQuestion, questionForImages, resolveQuestion, type ResolvedQuestion } from '../core/engine/question.ts';
import { checkRequest } from '../core/engine/request.ts';
import type { EngineCounters } from '../core/engine/api.ts';
import type { ConfidenceReport } from '../core/engine/confidence.ts';
import type { CachedEmbedder, EmbedderInfo, EmbedderLoadEvent, EmbedderSource } from '../core/engine/embedder.ts';
import type { FinishedAnswerTokens, GenerateEvent, GenerateRequest, GenerateResult, QuestionDraw } from '../core/engine/generate.ts';
import type { EncodedImage, ImageInput, ImageRef } from '../core/engine/images.ts';
import type { BundleSource, LoadedModelInfo, LoadEvent, LoadOptions } from '../core/engine/load.ts';
import type { CompareRequest, CompareResult, RankEvent, RankRequest, RankResult } from '../core/engine/rank.ts';
import type { CachedBundle, EngineApi } from '../core/engine/api.ts';
import { AppError, serializeError, type SerializedError } from '../core/errors.ts';
import type { ImageSlotId, TaskId } from '../core/tasks.ts';
import type { EngineHost } from './EngineHost.ts';
import { deleteCachedEmbedder, listCachedEmbedders } from './embedder/embedderCache.ts';
import type { SentenceEmbedder } from './embedder/sentenceEmbedder.ts';
import { answerConfidence, detailReport } from './generation/answerConfidence.ts';
import { generateAnswer } from './generation/generateAnswer.ts';
import { isGpuFailure, withRepeatAdvice } from './gpu/gpuErrors.ts';
import { zeroCounters } from './llm/LanguageModel.ts';
import { openModel, resolveLoadOptions, type LoadedModel } from './openModel.ts';
import { variantFiles } from '../core/bundle/variantFiles.ts';
import { clearBundleCache, deleteCachedBundle, listCachedBundles } from './bundle/bundleCache.ts';
import { pickVariant, type VariantChoice } from '../core/bundle/variantChoice.ts';
import { probeCapabilities } from './probeCapabilities.ts';
import { buildPrompt } from './prompt/buildPrompt.ts';
import { compareImages } from './ranking/compareImages.ts';
import { rankImages } from './ranking/rankImages.ts';
import { localizeImages } from './ranking/localizeImages.ts';
import type { LocalizeEvent, LocalizeRecord, LocalizeRequest } from '../core/engine/localize.ts';

/**
 * The engine behind `EngineApi`, the same in the worker and in Node. All model work (loading, encoding,
 * answering) runs one job at a time, in call order, so onnxruntime never sees two runs at once; a second
 * `generate` while one is running or waiting is refused rather than queued behind it.
 */
export class Engine implements EngineApi {
  private capabilitiesPromise: Promise<Capabilities> | undefined;
  private loaded: LoadedModel | null = null;
  /** The sentence embedder of the detailed-answer confidence, once `loadEmbedder` has run. */
  private embedder: SentenceEmbedder | null = null;
  private jobs: Promise<unknown> = Promise.resolve();
  private answering: { aborted: boolean } | null = null;
  private readonly work = zeroCounters();
  /** GPU failures since the last request that succeeded: from the second on, the hint asks for smaller settings. */
  private gpuFailuresInARow = 0;

  constructor(private readonly host: EngineHost) {}

  capabilities(): Promise<Capabilities> {
    this.capabilitiesPromise ??= probeCapabilities(this.host.probeScope).then(decideCapabilities);
    return this.capabilitiesPromise;
  }

  async load(source: BundleSource, onEvent?: (event: LoadEvent) => void, options: LoadOptions = {}): Promise<LoadedModelInfo> {
    this.stopAnswer();
    return this.exclusive(async () => {
      const emit = (event: LoadEvent) => onEvent?.(event);
      const capabilities = await this.capabilities();
      let choice: VariantChoice | undefined;
      const files = await this.host.openBundle(source, {
        onProgress: (progress) => emit({ type: 'progress', progress }),
        // The variant is picked as soon as the manifest is valid, so that only its files are downloaded.
        selectFiles: (manifest) => {
          choice = pickVariant(manifest, capabilities, options);
          return variantFiles(manifest, choice.variant);
        },
      });
      choice ??= pickVariant(files.manifest, capabilities, options);
      resolveLoadOptions(files.manifest, options);
      // The old model stays usable until the new bundle has opened; two models never share the memory.
      await this.release();
      const ort = await this.host.runtime(capabilities);
      Object.assign(this.work, zeroCounters());
      this.loaded = await this.countGpuFailures(openModel(ort, files, { ...choice, adapter: capabilities.adapter }, this.host, options, this.work, emit));
      emit({ type: 'ready', model: this.loaded.info });
      return this.loaded.info;
    });
  }

  encodeImage(image: ImageInput): Promise<EncodedImage> {
    return this.exclusive(async () => this.countGpuFailures((await this.usable()).images.encode(image)));
  }

  async generate(request: GenerateRequest, onEvent?: (event: GenerateEvent) => void): Promise<GenerateResult> {
    const emit = (event: GenerateEvent) => onEvent?.(event);
    const startedAt = performance.now();
    if (this.answering !== null) {
      const busy = new AppError('ENGINE_BUSY', 'An answer is already being generated.', {
        hint: 'Wait for it to finish, or stop it first.',
      });
      emit({ type: 'error', error: serializeError(busy) });
      throw busy;
    }
    const signal = { aborted: false };
    this.answering = signal;
    try {
      return await this.exclusive(async () => this.answer(await this.usable(), request, signal, emit, startedAt)).then((result) => {
        emit({ type: 'done', result });
        return result;
      });
    } catch (error) {
      emit({ type: 'error', error: serializeError(error) });
      throw error;
    } finally {
      if (this.answering === signal) this.answering = null;
    }
  }

  /** One answer, with its confidence, inside a job that holds the model (`generate`, or a map's tile). */
  private async answer(
    model: LoadedModel,
    request: GenerateRequest,
    signal: { readonly aborted: boolean },
    emit: (event: GenerateEvent) => void,
    startedAt: number,
  ): Promise<GenerateResult> {
    const checked = checkRequest(request);
    // A named question or the user's text is checked before any image is encoded.
    const named = picksQuestion(request.question) ? null : resolveQuestion(checked.task, checked.hasReference, request.question);
    // 1. The images: those given as bytes are encoded now (or found by their id), in this same job.
    // Images already held need no GPU work: only the answer's success proves the device well again.
    const images = await this.countGpuFailures(resolveImages(model, checked.images), false);
    const ids: Partial<Record<ImageSlotId, string>> = {};
    const visionMs: Partial<Record<ImageSlotId, number>> = {};
    for (const [slot, image] of Object.entries(images) as Array<[ImageSlotId, EncodedImage]>) {
      ids[slot] = image.id;
      visionMs[slot] = image.visionMs;
    }
    const question = named ?? (await this.pickQuestion(checked.task, checked.hasReference, request.question !== undefined && 'pick' in request.question ? request.question.pick : 'images', ids));
    // 2. The answer.
    const ask = (text: string, index: number | null, events: (event: GenerateEvent) => void, from: number) => {
      const prompt = buildPrompt({ ...checked, images: ids }, { text, index }, model.tokenizer, (id) => model.images.get(id).features);
      const sampler = this.host.sampler?.(request.sampling, prompt.info);
      return this.countGpuFailures(generateAnswer({
        gpu: model.gpu,
        cache: model.cache,
        tokenizer: model.tokenizer,
        prompt,
        sampling: request.sampling,
        ...(sampler === undefined ? {} : { sampler }),
        stopping: {
          eosTokenId: model.eosTokenId,
          ...(request.maxNewTokens === undefined ? {} : { maxNewTokens: request.maxNewTokens }),
          ...(request.loopGuard === undefined ? {} : { loopGuard: request.loopGuard }),
        },
        prefillChunk: model.prefillChunk,
        signal,
        counters: this.work,
        confidenceIds: model.confidenceIds,
        visionMs,
        emit: events,
        tokenIntervalMs: this.host.tokenIntervalMs ?? 16,
        startedAt: from,
      }));
    };
    const { letters, ...answer } = await ask(question.text, question.index, emit, startedAt);
    // 3. DepictQA's confidence: a brief answer's question asked again (its events not shown: the answer is
    // already complete) reuses the cached system text and image rows; only the question's tokens run again.
    const confidence =
      request.confidence === false || answer.stopReason === 'cancelled'
        ? null
        : await answerConfidence({
            task: checked.task,
            question: question.text,
            answer: { ...answer, letters },
            reask: (text) => ask(text, null, () => undefined, performance.now()),
            decode: (ids) => model.tokenizer.decode(ids),
            embed: this.embedder?.embedTexts ?? null,
          });
    return { ...answer, confidence, images };
  }

  /** A question of the set: the images' pick (their ids are their SHA-256), or upstream's random draw. */
  private async pickQuestion(task: TaskId, hasReference: boolean, draw: QuestionDraw, ids: Partial<Record<ImageSlotId, string>>): Promise<ResolvedQuestion> {
    if (draw === 'random') return resolveQuestion(task, hasReference, { pick: 'random' }, this.host.random);
    return resolveQuestion(task, hasReference, { index: await questionForImages(task, hasReference, ids) });
  }

  compare(request: CompareRequest): Promise<CompareResult> {
    return this.modelJob((model) => compareImages(model, request, this.work), () => undefined);
  }

  async rank(request: RankRequest, onEvent?: (event: RankEvent) => void): Promise<RankResult> {
    const emit = (event: RankEvent) => onEvent?.(event);
    const result = await this.modelJob(
      (model, signal) => rankImages(model, request, { signal, emit, counters: this.work }),
      (error) => emit({ type: 'error', error }),
    );
    emit({ type: 'done', result });
    return result;
  }

  async localize(request: LocalizeRequest, onEvent?: (event: LocalizeEvent) => void): Promise<LocalizeRecord> {
    const emit = (event: LocalizeEvent) => onEvent?.(event);
    const result = await this.modelJob(
      (model, signal) => localizeImages(model, request, { signal, counters: this.work, emit, answer: (ask) => this.answer(model, ask, signal, () => undefined, performance.now()) }),
      (error) => emit({ type: 'error', error }),
    );
    emit({ type: 'done', result });
    return result;
  }

  /**
   * A job that holds the model like an answer does (refused while one runs, stopped by `cancel()`), run after the
   * jobs queued before it; `onError` hears a failure before the promise rejects.
   */
  private modelJob<T>(
    job: (model: LoadedModel, signal: { readonly aborted: boolean }) => Promise<T>,
    onError: (error: SerializedError) => void,
  ): Promise<T> {
    const signal = { aborted: false };
    if (this.answering !== null) {
      const busy = new AppError('ENGINE_BUSY', 'An answer or a ranking is already running.', { hint: 'Wait for it to finish, or stop it first.' });
      onError(serializeError(busy));
      return Promise.reject(busy);
    }
    this.answering = signal;
    const promise = this.exclusive(async () => this.countGpuFailures(job(await this.usable(), signal)));
    const settled = promise.then(
      (value) => value,
      (error: unknown) => {
        onError(serializeError(error));
        throw error;
      },
    );
    const release = () => {
      if (this.answering === signal) this.answering = null;
    };
    settled.then(release, release);
    return settled;
  }

  /**
   * Loads the sentence embedder of the detailed-answer confidence (all-MiniLM-L6-v2 in transformers.js layout)
   * through the host; it replaces one loaded before and stays until `unload`. Without it a detailed answer's
   * confidence is null ('needs the sentence model').
   */
  loadEmbedder(source: EmbedderSource, onEvent?: (event: EmbedderLoadEvent) => void): Promise<EmbedderInfo> {
    return this.exclusive(async () => {
      const open = this.host.openEmbedder;
      if (open === undefined) {
        throw new AppError('MODEL_LOAD_FAILED', 'This engine cannot load a sentence embedder.', {
          hint: 'Detailed answers are shown without a confidence; brief answers still have one.',
        });
      }
      const started = performance.now();
      const opened = await open(source, { capabilities: await this.capabilities(), onProgress: (progress) => onEvent?.({ type: 'progress', progress }) });
      await this.embedder?.dispose();
      this.embedder = opened.embedder;
      return { source: opened.source, bytes: opened.bytes, cacheKey: opened.cacheKey, loadMs: performance.now() - started };
    });
  }

  detailConfidence(answer: FinishedAnswerTokens): Promise<ConfidenceReport> {
    return this.exclusive(async () => {
      const model = this.requireLoaded();
      const embed = this.embedder?.embedTexts;
      if (embed === undefined) {
        throw new AppError('MODEL_LOAD_FAILED', 'The sentence model is not loaded.', { hint: 'Load the sentence model in the model panel first.' });
      }
      return detailReport(answer, 'answer', (ids) => model.tokenizer.decode(ids), embed);
    });
  }

  cachedEmbedders(): Promise<CachedEmbedder[]> {
    return listCachedEmbedders();
  }

  deleteCachedEmbedder(key: string): Promise<void> {
    return deleteCachedEmbedder(key);
  }

  async cancel(): Promise<void> {
    this.stopAnswer();
  }

  async unload(): Promise<void> {
    this.stopAnswer();
    await this.exclusive(async () => {
      await this.release();
      const embedder = this.embedder;
      this.embedder = null;
      await embedder?.dispose();
    });
  }

  async counters(): Promise<EngineCounters> {
    return { ...this.work, cachedPositions: this.loaded?.cache.length ?? 0 };
  }

  cachedBundles(): Promise<CachedBundle[]> {
    return listCachedBundles();
  }

  deleteCachedBundle(key: string): Promise<void> {
    return deleteCachedBundle(key);
  }

  clearBundleCache(): Promise<void> {
    return clearBundleCache();
  }

  private stopAnswer(): void {
    if (this.answering !== null) this.answering.aborted = true;
  }

  private requireLoaded(): LoadedModel {
    if (this.loaded === null) {
      throw new AppError('ENGINE_NOT_LOADED', 'No model is loaded.', { hint: 'Load a model bundle first.' });
    }
    return this.loaded;
  }

  /**
   * The loaded model, rebuilt first when its GPU device failed (lost, out of memory, an error in a scope): the
   * sessions and the KV cache are opened again from the bundle files already loaded. A rebuild that fails leaves
   * the model marked, so the next request tries again.
   */
  private async usable(): Promise<LoadedModel> {
    const loaded = this.requireLoaded();
    if (loaded.gpu.failed === null) return loaded;
    // A rebuild that works proves nothing yet: the count goes on until a request itself succeeds.
    this.loaded = await this.countGpuFailures(loaded.rebuild(), false);
    return this.loaded;
  }

  private countGpuFailures<T>(job: Promise<T>, successResets = true): Promise<T> {
    return job.then(
      (value) => {
        if (successResets) this.gpuFailuresInARow = 0;
        return value;
      },
      (error: unknown) => {
        if (!isGpuFailure(error)) throw error;
        this.gpuFailuresInARow++;
        throw withRepeatAdvice(error, this.gpuFailuresInARow);
      },
    );
  }

  private async release(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    await loaded?.dispose();
  }

  /** Runs `job` after every job queued before it; a failed job does not block the ones after it. */
  private exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = this.jobs.then(job);
    this.jobs = run.catch(() => undefined);
    return run;
  }
}

/** Each slot's image as the model holds it: bytes are encoded (or found by their hash), ids looked up. */
async function resolveImages(model: LoadedModel, refs: Partial<Record<ImageSlotId, ImageRef>>): Promise<Partial<Record<ImageSlotId, EncodedImage>>> {
  const images: Partial<Record<ImageSlotId, EncodedImage>> = {};
  for (const [slot, ref] of Object.entries(refs) as Array<[ImageSlotId, ImageRef]>) {
    images[slot] = typeof ref === 'string' ? { ...model.images.get(ref).info, cached: true } : await model.images.encode(ref);
  }
  return images;
}
