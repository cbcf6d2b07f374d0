import type { MessagePort, TransferListItem, Worker } from 'node:worker_threads';
import type { Endpoint } from 'comlink';

type Handler = EventListenerOrEventListenerObject;

/**
 * Comlink's Endpoint over a worker_threads Worker or MessagePort, which speak `on('message', data)`
 * rather than the DOM's `addEventListener('message', event)`. (Comlink ships the same adapter untyped.)
 */
export function nodeEndpoint(port: Worker | MessagePort): Endpoint {
  const listeners = new WeakMap<Handler, (data: unknown) => void>();
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      port.postMessage(message, transfer as unknown as TransferListItem[] | undefined);
    },
    addEventListener(_type: string, handler: Handler) {
      const listener = (data: unknown): void => {
        const event = { data } as MessageEvent;
        if (typeof handler === 'function') handler(event);
        else handler.handleEvent(event);
      };
      port.on('message', listener);
      listeners.set(handler, listener);
    },
    removeEventListener(_type: string, handler: Handler) {
      const listener = listeners.get(handler);
      if (listener === undefined) return;
      port.off('message', listener);
      listeners.delete(handler);
    },
  };
}
