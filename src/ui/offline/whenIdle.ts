import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';

/**
 * When the page may be reloaded into a new version: not while an answer is being written (it would be lost
 * half-way) nor while a model downloads or opens (the download would stop, to resume later).
 */
export function pageBusy(): boolean {
  const run = useRunStore.getState().status;
  return run === 'encoding' || run === 'running' || useModelStore.getState().status === 'loading';
}

/** Runs `action` now if the page is idle, else once it becomes idle. */
export function whenIdle(action: () => void): void {
  if (!pageBusy()) {
    action();
    return;
  }
  const check = () => {
    if (pageBusy()) return;
    stopRun();
    stopModel();
    action();
  };
  const stopRun = useRunStore.subscribe(check);
  const stopModel = useModelStore.subscribe(check);
}
