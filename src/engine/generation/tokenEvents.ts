import { createBatcher } from '../../core/generation/batcher.ts';

export interface TokenDelta {
  text: string;
  ids: number[];
}

export interface TokenEvents {
  push(delta: TokenDelta): void;
  /** Sends whatever waits and stops the timer: call once at the end of the answer. */
  flush(): void;
}

/**
 * Token deltas merged into at most one `send` per `intervalMs` (one UI update per frame at 16 ms): the first
 * token goes out at once, later ones wait for the interval or for `flush`.
 */
export function createTokenEvents(send: (delta: TokenDelta) => void, intervalMs = 16): TokenEvents {
  const batcher = createBatcher<TokenDelta>({ intervalMs, now: () => performance.now() });
  let timer: ReturnType<typeof setTimeout> | null = null;
  const sendBatch = (batch: TokenDelta[]) => {
    if (batch.length === 0) return;
    send({ text: batch.map((delta) => delta.text).join(''), ids: batch.flatMap((delta) => delta.ids) });
  };
  return {
    push(delta) {
      const batch = batcher.push(delta);
      if (batch !== null) {
        sendBatch(batch);
        return;
      }
      timer ??= setTimeout(() => {
        timer = null;
        const due = batcher.takeDue() ?? batcher.flush();
        sendBatch(due);
      }, batcher.msUntilDue() ?? intervalMs);
    },
    flush() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      sendBatch(batcher.flush());
    },
  };
}
