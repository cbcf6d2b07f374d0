import { proxy } from 'comlink';
import type { GenerateEvent, GenerateRequest, QuestionChoice } from '../../core/engine/types.ts';
import { serializeError } from '../../core/errors.ts';
import { randomSeed } from '../../core/generation/random.ts';
import { slotsRead, type ImageSlotId, type TaskId } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useRunStore, type QuestionPick, type RunRequest } from '../../state/useRunStore.ts';
import { withEngine } from '../../client/engineClient.ts';
import type { RunSettings } from '../../core/generation/generationForm.ts';
import { taskQuestions } from '../../core/engine/question.ts';

/** The question to ask: a random pick is drawn here, so the run (and a regenerate) knows which one it was. */
export function questionChoice(pick: QuestionPick, ownQuestion: string, count: number, random: () => number = Math.random): QuestionChoice {
  if (pick === 'own') return { text: ownQuestion.trim() };
  if (pick === 'random' || pick >= count) return { index: Math.floor(random() * count) };
  return { index: pick };
}

/** A sampling run without a typed seed gets one drawn here, so it is recorded with the run and can be repeated. */
export function withSeed(settings: RunSettings, seed: number = randomSeed()): RunSettings {
  if (settings.sampling?.temperature === undefined || settings.sampling.seed !== undefined) return settings;
  return { ...settings, sampling: { ...settings.sampling, seed } };
}

/** Starts a run of the selected task with the page's images, question and settings (already validated). */
export function runTask(task: TaskId, settings: RunSettings): Promise<void> {
  const { questionPick, ownQuestion } = useRunStore.getState();
  const slots = useImageStore.getState().images;
  const images: RunRequest['images'] = {};
  for (const slot of slotsRead(task)) if (slots[slot] !== null) images[slot] = slots[slot];
  const count = taskQuestions(task, images.reference !== undefined).length;
  return execute({ task, images, question: questionChoice(questionPick, ownQuestion, count), settings: withSeed(settings) });
}

/**
 * Runs the last request again: the same task, images, question and settings. Greedy gives the same text;
 * sampling gets a new seed. The engine keeps the images' features and the prompt's KV prefix, so only the
 * answer is computed again.
 */
export function regenerate(): Promise<void> {
  const last = useRunStore.getState().lastRun;
  if (last === null) return Promise.resolve();
  const sampling = last.settings.sampling;
  const settings = sampling?.temperature === undefined ? last.settings : { ...last.settings, sampling: { ...sampling, seed: randomSeed() } };
  return execute({ ...last, settings });
}

/**
 * One run: 1. encode each image the task reads, 2. generate with the answer streaming into the run store.
 * The outcome goes to the store (never thrown), so no promise is left unhandled.
 */
async function execute(request: RunRequest): Promise<void> {
  useRunStore.getState().start(request);
  const sink = answerSink();
  try {
    // 1. Image features (the engine caches them by the bytes' hash, so a rerun encodes nothing).
    const ids: GenerateRequest['images'] = {};
    for (const [slot, image] of Object.entries(request.images) as Array<[ImageSlotId, NonNullable<RunRequest['images'][ImageSlotId]>]>) {
      const bytes = new Uint8Array(await image.blob.arrayBuffer());
      ids[slot] = (await withEngine((engine) => engine.encodeImage({ name: image.name, bytes }))).id;
    }
    // 2. The answer, streamed.
    const { settings } = request;
    const generate: GenerateRequest = {
      task: request.task,
      images: ids,
      question: request.question,
      maxNewTokens: settings.maxNewTokens,
      ...(settings.sampling === null ? {} : { sampling: settings.sampling }),
      ...(settings.loopGuard ? { loopGuard: true } : {}),
    };
    const result = await withEngine((engine) => engine.generate(generate, proxy(sink.onEvent)));
    sink.close();
    const { verdict, distortion, confidence, stats, stopReason } = result;
    useRunStore.getState().finish(result.text, { verdict, distortion, confidence, stats, stopReason });
  } catch (error) {
    sink.close();
    useRunStore.getState().fail(serializeError(error));
  }
}

/**
 * Where a run's events go: the run store, until the result is in. The events come through their own
 * proxied channel and the result through the worker's, so the last batch of tokens can arrive after the
 * result: appended then, it would repeat the answer's last words after the final text.
 */
export function answerSink(): { onEvent: (event: GenerateEvent) => void; close: () => void } {
  let open = true;
  return {
    onEvent(event) {
      if (!open) return;
      const state = useRunStore.getState();
      if (event.type === 'start') {
        const seed = event.sampling.temperature > 0 ? event.sampling.seed : null;
        state.setRunning(event.prompt.question, { hasReference: event.prompt.hasReference, questionIndex: event.prompt.questionIndex, seed });
      } else if (event.type === 'tokens') state.appendText(event.text);
    },
    close() {
      open = false;
    },
  };
}

/** Stops the running answer; the engine ends it with stopReason 'cancelled'. */
export function stopTask(): void {
  withEngine((engine) => engine.cancel()).catch((error: unknown) => useRunStore.getState().fail(serializeError(error)));
}
