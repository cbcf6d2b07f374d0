import { proxy } from 'comlink';
import type { GenerateEvent, GenerateRequest } from '../../core/engine/types.ts';
import { serializeError } from '../../core/errors.ts';
import type { ImageSlotId, TaskId } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { withEngine } from '../engine/engineClient.ts';
import { taskQuestions } from './questions.ts';

const SLOTS: readonly ImageSlotId[] = ['reference', 'a', 'b'];

/**
 * One run: 1. encode each filled slot the task shows, 2. generate with the answer streaming into the run store.
 * The outcome goes to the store (never thrown), so no promise is left unhandled.
 */
export async function runTask(task: TaskId): Promise<void> {
  const run = useRunStore.getState();
  run.start();
  const images = useImageStore.getState().images;
  const pair = task === 'comparison' || task === 'reasoning';
  const used = SLOTS.filter((slot) => images[slot] !== null && (slot !== 'b' || pair));
  try {
    // 1. Image features (the engine caches them by the bytes' hash, so a rerun encodes nothing).
    const ids: GenerateRequest['images'] = {};
    for (const slot of used) {
      const image = images[slot]!;
      const bytes = new Uint8Array(await image.blob.arrayBuffer());
      ids[slot] = (await withEngine((engine) => engine.encodeImage({ name: image.name, bytes }))).id;
    }
    // 2. The answer, streamed.
    const count = taskQuestions(task, images.reference !== null).length;
    const index = run.questionPick === 'random' ? Math.floor(Math.random() * count) : run.questionPick;
    const onEvent = (event: GenerateEvent) => {
      const state = useRunStore.getState();
      if (event.type === 'start') state.setRunning(event.prompt.question);
      else if (event.type === 'tokens') state.appendText(event.text);
    };
    const request: GenerateRequest = { task, images: ids, question: { index }, maxNewTokens: run.maxNewTokens };
    const result = await withEngine((engine) => engine.generate(request, proxy(onEvent)));
    const { verdict, distortion, confidence, stats, stopReason } = result;
    useRunStore.getState().finish(result.text, { verdict, distortion, confidence, stats, stopReason });
  } catch (error) {
    useRunStore.getState().fail(serializeError(error));
  }
}

/** Stops the running answer; the engine ends it with stopReason 'cancelled'. */
export function stopTask(): void {
  withEngine((engine) => engine.cancel()).catch((error: unknown) => useRunStore.getState().fail(serializeError(error)));
}
