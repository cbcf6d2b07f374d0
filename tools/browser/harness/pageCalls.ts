/**
 * The page side of a test or bench harness: calls to one module worker, matched to their replies by id, and the
 * events it posts while a call runs (`postEvent` in the worker) to `onEvent`. A worker that fails (its `error`
 * event) answers every waiting call with `failed(message)`.
 */
export function workerCalls<Call, Reply, Event = never>(
  worker: Worker,
  failed: (message: string) => Reply,
  onEvent?: (event: Event) => void,
): (call: Call) => Promise<Reply> {
  let nextId = 0;
  const pending = new Map<number, (reply: Reply) => void>();
  worker.addEventListener('message', (message: MessageEvent<{ id: number; reply: Reply } | { event: Event }>) => {
    if ('event' in message.data) return onEvent?.(message.data.event);
    pending.get(message.data.id)?.(message.data.reply);
    pending.delete(message.data.id);
  });
  worker.addEventListener('error', (event) => {
    for (const resolve of pending.values()) resolve(failed(event.message));
    pending.clear();
  });
  return (call) => {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({ id, call });
    });
  };
}

/** Image bytes as page.evaluate carries them (plain arrays), back as bytes. */
export function withBytes<T extends { bytes: ArrayLike<number> }>(image: T): Omit<T, 'bytes'> & { bytes: Uint8Array } {
  return { ...image, bytes: Uint8Array.from(image.bytes) };
}
