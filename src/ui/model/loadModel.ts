import { proxy } from 'comlink';
import type { BundleSource, LoadEvent } from '../../core/engine/types.ts';
import { serializeError } from '../../core/errors.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { withEngine } from '../engine/engineClient.ts';

/** Loads a bundle into the page's engine; progress and the outcome go to the model store (never thrown). */
export async function loadModel(source: BundleSource, label: string): Promise<void> {
  const store = useModelStore.getState();
  store.startLoad(label);
  const onEvent = (event: LoadEvent) => {
    if (event.type === 'progress') useModelStore.getState().setProgress(event.progress);
  };
  try {
    const model = await withEngine((engine) => engine.load(source, proxy(onEvent)));
    useModelStore.getState().setReady(model);
  } catch (error) {
    useModelStore.getState().setFailed(serializeError(error));
  }
}

/**
 * The files of an `<input webkitdirectory>` with their paths: a File's webkitRelativePath does not survive
 * the copy into the worker, so the path travels beside it.
 */
export function folderSource(files: readonly File[]): BundleSource {
  return { kind: 'files', files: files.map((file) => ({ path: file.webkitRelativePath || file.name, file })) };
}

/** The folder's name, from the first file's relative path. */
export function folderLabel(files: readonly File[]): string {
  const first = files[0]?.webkitRelativePath ?? '';
  return first.includes('/') ? first.slice(0, first.indexOf('/')) : 'the chosen folder';
}

/** The `?model=` query parameter, when the page was opened with one. */
export function modelUrlFromQuery(search: string = window.location.search): string {
  return new URLSearchParams(search).get('model') ?? '';
}
