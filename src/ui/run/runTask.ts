import type { QuestionChoice } from '../../core/engine/generate.ts';
import { serializeError } from '../../core/errors.ts';
import { randomSeed } from '../../core/generation/random.ts';
import { slotsRead, type TaskId } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useRunStore, type QuestionPick, type RunRequest } from '../../state/useRunStore.ts';
import { pageEngine } from '../../client/engine.ts';
import type { RunSettings } from '../../core/generation/generationForm.ts';
import { questionForImages, taskQuestions } from '../../core/engine/question.ts';

/**
 * The question to ask, as an index of the set or the user's text: a pick by the images (their SHA-256 and the
 * task, as the engine picks by default) or a random draw is made here, so the run, a regenerate and History
 * know which question it was.
 */
export async function questionChoice(
  pick: QuestionPick,
  ownQuestion: string,
  task: TaskId,
  images: RunRequest['images'],
  random: () => number = Math.random,
): Promise<QuestionChoice> {
  if (pick === 'own') return { text: ownQuestion.trim() };
  const hasReference = images.reference !== undefined;
  const count = taskQuestions(task, hasReference).length;
  if (pick === 'random') return { index: Math.floor(random() * count) };
  // A number from another task's longer list falls back to the images' pick.
  if (typeof pick === 'number' && pick < count) return { index: pick };
  return { index: await questionForImages(task, hasReference, { reference: images.reference?.id, a: images.a?.id, b: images.b?.id }) };
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
  return questionChoice(questionPick, ownQuestion, task, images).then((question) => execute({ task, images, question, settings: withSeed(settings) }));
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

/** One run: the engine client streams the answer into the run store and puts the outcome there. */
function execute(request: RunRequest): Promise<void> {
  return pageEngine.run(request);
}

/** Stops the running answer; the engine ends it with stopReason 'cancelled'. */
export function stopTask(): void {
  pageEngine.cancel().catch((error: unknown) => useRunStore.getState().fail(serializeError(error)));
}
