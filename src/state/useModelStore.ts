import { create } from 'zustand';
import type { LoadProgress } from '../core/bundle/bundleFiles.ts';
import type { BundleManifest } from '../core/bundle/manifest.ts';
import type { PreflightChoice } from '../core/bundle/preflight.ts';
import type { LoadedModelInfo } from '../core/engine/types.ts';
import type { CachedBundle } from '../core/engineApi.ts';
import type { SerializedError } from '../core/errors.ts';

/**
 * 'reading': the manifest of the chosen source is being read; 'preflight': it was, and the memory check waits
 * for the user's Load; 'loading': the engine opens (and downloads) the bundle.
 */
export type ModelStatus = 'empty' | 'reading' | 'preflight' | 'loading' | 'ready' | 'failed';

/** A source whose manifest has been read, before anything else is downloaded. */
export interface PendingBundle {
  /** Where it comes from, for messages: a folder name, a URL, or the cached bundle's name. */
  label: string;
  kind: 'files' | 'url' | 'cache';
  manifest: BundleManifest;
}

export interface StorageUse {
  usageBytes: number;
  quotaBytes: number;
}

interface ModelState {
  status: ModelStatus;
  /** Where the load in progress (or the last one) reads from, for messages. */
  source: string | null;
  pending: PendingBundle | null;
  /** The user's variant and context length for the pending bundle; unset fields take the preflight's default. */
  choice: PreflightChoice;
  progress: LoadProgress | null;
  /** Bytes of each file seen so far, by path: the per-file list of the progress view. */
  files: Record<string, { bytesLoaded: number; bytesTotal: number; fromCache: boolean }>;
  model: LoadedModelInfo | null;
  /** The loaded bundle was made from random weights (its manifest says so). */
  randomWeights: boolean;
  error: SerializedError | null;
  /** The download cache: null until listed. */
  cached: CachedBundle[] | null;
  storage: StorageUse | null;
  cacheError: SerializedError | null;
  startReading: (source: string) => void;
  setPending: (pending: PendingBundle) => void;
  setChoice: (choice: PreflightChoice) => void;
  cancelPending: () => void;
  startLoad: (source: string) => void;
  setProgress: (progress: LoadProgress) => void;
  setReady: (model: LoadedModelInfo, randomWeights: boolean) => void;
  setFailed: (error: SerializedError) => void;
  /** The chosen source could not be read: nothing was loaded, so a loaded model stays. */
  setReadFailed: (error: SerializedError) => void;
  setCache: (cached: CachedBundle[], storage: StorageUse | null) => void;
  setCacheError: (error: SerializedError) => void;
}

/** The model the page has loaded, the one being checked or loaded, and the download cache. Data only. */
export const useModelStore = create<ModelState>()((set) => ({
  status: 'empty',
  source: null,
  pending: null,
  choice: {},
  progress: null,
  files: {},
  model: null,
  randomWeights: false,
  error: null,
  cached: null,
  storage: null,
  cacheError: null,
  // Reading a manifest or checking it leaves a loaded model in place: the engine replaces it only on Load.
  startReading: (source) => set({ status: 'reading', source, pending: null, choice: {}, error: null }),
  setPending: (pending) => set({ status: 'preflight', pending, choice: {}, error: null }),
  setChoice: (choice) => set((state) => ({ choice: { ...state.choice, ...choice } })),
  cancelPending: () => set((state) => ({ status: state.model === null ? 'empty' : 'ready', pending: null, choice: {} })),
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
  setReady: (model, randomWeights) => set({ status: 'ready', model, randomWeights, pending: null, error: null }),
  setFailed: (error) => set({ status: 'failed', model: null, randomWeights: false, pending: null, error }),
  setReadFailed: (error) => set((state) => ({ status: state.model === null ? 'failed' : 'ready', pending: null, error })),
  setCache: (cached, storage) => set({ cached, storage, cacheError: null }),
  setCacheError: (cacheError) => set({ cacheError }),
}));
