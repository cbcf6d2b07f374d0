import { create } from 'zustand';
import type { LoadProgress } from '../core/bundle/bundleFiles.ts';
import type { LoadedModelInfo } from '../core/engine/types.ts';
import type { SerializedError } from '../core/errors.ts';

export type ModelStatus = 'empty' | 'loading' | 'ready' | 'failed';

interface ModelState {
  status: ModelStatus;
  /** Where the load in progress (or the last one) reads from, for messages. */
  source: string | null;
  progress: LoadProgress | null;
  /** Bytes of each file seen so far, by path: the per-file list of the progress view. */
  files: Record<string, { bytesLoaded: number; bytesTotal: number; fromCache: boolean }>;
  model: LoadedModelInfo | null;
  error: SerializedError | null;
  startLoad: (source: string) => void;
  setProgress: (progress: LoadProgress) => void;
  setReady: (model: LoadedModelInfo) => void;
  setFailed: (error: SerializedError) => void;
}

/** The model the page has loaded, and the load in progress. Data only: the engine lives in its worker. */
export const useModelStore = create<ModelState>()((set) => ({
  status: 'empty',
  source: null,
  progress: null,
  files: {},
  model: null,
  error: null,
  // A failed or replaced load leaves no model: the engine releases the old one once the new bundle opens.
  startLoad: (source) => set({ status: 'loading', source, progress: null, files: {}, error: null }),
  setProgress: (progress) =>
    set((state) => ({
      progress,
      files: {
        ...state.files,
        [progress.file]: { bytesLoaded: progress.fileBytesLoaded, bytesTotal: progress.fileBytesTotal, fromCache: progress.fromCache },
      },
    })),
  setReady: (model) => set({ status: 'ready', model, error: null }),
  setFailed: (error) => set({ status: 'failed', model: null, error }),
}));
