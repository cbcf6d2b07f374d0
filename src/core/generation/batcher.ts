/**
 * Groups a fast stream of events (tokens) into at most one update per interval, so that the UI re-renders
 * once per animation frame rather than once per token. Pure and clock-injected: the caller owns the timer.
 *
 * The first event after a quiet interval goes out at once (the first token shows without delay); events
 * that follow within `intervalMs` of the last update wait, and become due when the interval has passed.
 * Use: `const batch = batcher.push(event); if (batch) post(batch); else if (!timer) timer =
 * setTimeout(() => { timer = null; const due = batcher.takeDue(); if (due) post(due); }, batcher.msUntilDue()!)`,
 * and `post(batcher.flush())` when the stream ends.
 */
export interface Batcher<T> {
  /** Adds an event; returns the batch to send now, or null when it must wait. */
  push(event: T): T[] | null;
  /** The waiting batch if its time has come, else null. */
  takeDue(): T[] | null;
  /** Everything waiting, now (end of stream); [] when nothing waits. */
  flush(): T[];
  /** Milliseconds until the waiting batch is due (0 if it is); null when nothing waits. */
  msUntilDue(): number | null;
  readonly pendingCount: number;
}

export interface BatcherOptions {
  /** Minimum time between two updates; 16 ms ≈ one frame at 60 Hz. */
  intervalMs?: number;
  /** A monotonic clock in milliseconds (`performance.now` in the browser and in Node). */
  now: () => number;
}

export function createBatcher<T>(options: BatcherOptions): Batcher<T> {
  const intervalMs = options.intervalMs ?? 16;
  const now = options.now;
  let pending: T[] = [];
  let lastSentAt = -Infinity;

  const send = (): T[] => {
    const batch = pending;
    pending = [];
    lastSentAt = now();
    return batch;
  };
  const due = (): boolean => now() - lastSentAt >= intervalMs;

  return {
    push(event: T): T[] | null {
      pending.push(event);
      return due() ? send() : null;
    },
    takeDue(): T[] | null {
      return pending.length > 0 && due() ? send() : null;
    },
    flush(): T[] {
      return pending.length > 0 ? send() : [];
    },
    msUntilDue(): number | null {
      if (pending.length === 0) return null;
      return Math.max(0, lastSentAt + intervalMs - now());
    },
    get pendingCount(): number {
      return pending.length;
    },
  };
}
