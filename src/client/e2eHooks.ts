/**
 * A test hook, present only on a page opened with `?e2e`: the end-to-end specs end the engine worker with
 * `Worker.terminate()` at a moment they choose, and the page must notice it the way it notices the browser
 * ending the worker (no event, only the worker's life lock released). Ending one's own worker harms nothing
 * but the current answer, so the hook is no risk on a deployed page.
 */
export type EndMoment = 'first-tokens' | 'first-load-progress' | 'rank-comparison';

export interface E2eHooks {
  /** Ends the engine worker when the page sees this event of it for the `count`-th time (default 1; the event itself is still shown). */
  endEngineWorkerAt(moment: EndMoment, count?: number): void;
}

let armed: EndMoment | null = null;
/** Events of the armed moment still to see before the worker is ended. */
let remaining = 0;
let engineWorker: Worker | null = null;

/** Installs the hook on `window.depictqaE2E` when the page's address asks for it. */
export function installE2eHooks(): void {
  if (typeof window === 'undefined' || !new URLSearchParams(window.location.search).has('e2e')) return;
  const hooks: E2eHooks = {
    endEngineWorkerAt: (moment, count = 1) => {
      armed = moment;
      remaining = count;
    },
  };
  Object.assign(window, { depictqaE2E: hooks });
}

/** The engine worker the hook would end: the latest one started. */
export function setEngineWorker(worker: Worker): void {
  engineWorker = worker;
}

/** Called by the client as it applies an engine event; ends the worker when the hook waits for this moment. */
export function atEngineMoment(moment: EndMoment): void {
  if (armed !== moment || --remaining > 0) return;
  armed = null;
  engineWorker?.terminate();
}
