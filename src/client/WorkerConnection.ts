import type { AppError } from '../core/errors.ts';

/** A started worker as the connection sees it: the API to call, and how to end it. */
export interface RunningWorker<T> {
  remote: T;
  /** Ends the worker; it is never used again. */
  terminate(): void;
}

/**
 * Starts a worker. `onLost` is to be called, at most once, when the worker stops answering for good: it
 * crashed, threw outside any call, or was ended by the browser (out of memory) or by `terminate()`.
 */
export type StartWorker<T> = (onLost: (error: AppError) => void) => RunningWorker<T>;

interface Started<T> {
  /** null only while `start` runs. */
  worker: RunningWorker<T> | null;
  /** Which start this is: 1 for the first worker, 2 after one loss, and so on. */
  generation: number;
  /** Rejects when this worker is lost; every call waiting on it fails with that error. */
  lost: Promise<never>;
  loseWith: (error: AppError) => void;
}

/**
 * One worker behind a page, started on first use and started again after it is lost: a lost worker fails the
 * calls waiting on it at once (a call would otherwise wait forever on a worker that no longer exists), and
 * the next call starts a new one. Nothing here measures time, so tests drive it with a fake worker.
 */
export class WorkerConnection<T> {
  private current: Started<T> | null = null;
  private starts = 0;

  constructor(
    private readonly start: StartWorker<T>,
    /** Told once per lost worker, after its waiting calls were failed. */
    private readonly onLost: (error: AppError, generation: number) => void = () => undefined,
  ) {}

  /** The generation of the running worker; 0 when none runs (not started yet, or lost). */
  get generation(): number {
    return this.current?.generation ?? 0;
  }

  /**
   * Runs `call` on the worker, starting one when none runs. It rejects with the loss's error when the worker is
   * lost before `call` settles. `generation` tells the caller whether this worker already has its state.
   */
  call<R>(call: (remote: T, generation: number) => Promise<R>): Promise<R> {
    const started = this.current ?? this.startWorker();
    if (started.worker === null || this.current !== started) return started.lost;
    return Promise.race([call(started.worker.remote, started.generation), started.lost]);
  }

  /** Runs `call` only when a worker runs (stopping an answer needs no new worker); resolves undefined otherwise. */
  ifRunning<R>(call: (remote: T) => Promise<R>): Promise<R | undefined> {
    const started = this.current;
    if (started === null || started.worker === null) return Promise.resolve(undefined);
    return Promise.race([call(started.worker.remote), started.lost]);
  }

  /** Ends the running worker as a loss would: its waiting calls fail, and the next call starts another. */
  terminate(error: AppError): void {
    if (this.current !== null) this.lose(this.current, error);
  }

  private startWorker(): Started<T> {
    let loseWith!: (error: AppError) => void;
    const lost = new Promise<never>((_, reject) => (loseWith = reject));
    // Observed through call(); a loss with no call waiting is not an unhandled rejection.
    lost.catch(() => undefined);
    const generation = ++this.starts;
    const started: Started<T> = { worker: null, generation, lost, loseWith };
    this.current = started;
    const worker = this.start((error) => this.lose(started, error));
    started.worker = worker;
    // Lost while starting (a worker that failed at once): it is ended now that it can be.
    if (this.current !== started) worker.terminate();
    return started;
  }

  private lose(started: Started<T>, error: AppError): void {
    // A worker already replaced (or reported twice, by an error event and then its end) is not lost again.
    if (this.current !== started) return;
    this.current = null;
    started.loseWith(error);
    // A worker that threw outside a call may still run, in a state nobody knows: it is ended, not reused.
    started.worker?.terminate();
    this.onLost(error, started.generation);
  }
}
