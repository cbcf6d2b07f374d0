import { serializeError, type SerializedError } from '../../../src/core/errors.ts';

/**
 * The worker side of a harness (`workerCalls` on the page): answers each call with `handle`'s reply, or with
 * `failed(error)` when it throws. Not in onnxruntime-web's wasm threads, which start from the same bundled script
 * and in which only its own code may run.
 */
export function answerCalls<Call, Reply>(handle: (call: Call) => Promise<Reply>, failed: (error: SerializedError) => Reply): void {
  if (self.name.startsWith('em-pthread')) return;
  self.addEventListener('message', (message: MessageEvent<{ id: number; call: Call }>) => {
    const { id, call } = message.data;
    handle(call).then(
      (reply) => self.postMessage({ id, reply }),
      (error: unknown) => self.postMessage({ id, reply: failed(serializeError(error)) }),
    );
  });
}

/** An event for the page's `onEvent` (`workerCalls`), posted while a call runs: a progress note, a checkpoint. */
export function postEvent<Event>(event: Event): void {
  self.postMessage({ event });
}
