import { create } from 'zustand';
import type { LoadProgress } from '../core/bundle/bundleFiles.ts';
import type { BundleManifest, BundleVariant } from '../core/bundle/manifest.ts';
import type { PreflightChoice } from '../core/bundle/preflight.ts';
import type { LoadedModelInfo } from '../core/engine/load.ts';
import type { CachedBundle } from '../core/engine/api.ts';
import type { SerializedError } from '../core/errors.ts';
import { DEPICTQA_WILD_RULE, type ResizeRule } from '../core/vision/resizeRule.ts';

/**
 * The engine's model: 'loading' while the engine opens (and downloads) a bundle; 'lost' when the engine's worker
 * ended under it (`error` says how): the next run starts a new worker, which reopens it without downloading.
 */
export type ModelStatus = 'empty' | 'loading' | 'ready' | 'failed' | 'lost';

/**
 * The check before a load, beside the model (a loaded model stays usable meanwhile): 'reading' the chosen
 * source's manifest, then 'checked' while the pre-flight card waits for the user's Load.
 */
export type CheckStatus = 'none' | 'reading' | 'checked';

/** A source whose manifest has been read, before anything else is downloaded. */
export interface PendingBundle {
  /** Where it comes from, for messages: a folder name, a URL, or the cached bundle's name. */
  label: string;
  kind: 'files' | 'url' | 'cache';
  manifest: BundleManifest;
  /** The variants this source can load (a cached bundle: those downloaded in full); undefined: every variant. */
  available?: BundleVariant[];
  /** The URL whose server could not be reached: this is its cached copy, offered in its place. */
  offlineFrom?: string;
}

export interface StorageUse {
  usageBytes: number;
  quotaBytes: number;
}

interface ModelState {
  status: ModelStatus;
  check: CheckStatus;
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
  /** Whether the browser keeps this site's storage (the cached models) under storage pressure; null: not said. */
  persisted: boolean | null;
  cacheError: SerializedError | null;
  startReading: (source: string) => void;
  setPending: (pending: PendingBundle) => void;
  setChoice: (choice: PreflightChoice) => void;
  cancelPending: () => void;
  startLoad: (source: string) => void;
  setProgress: (progress: LoadProgress) => void;
  setReady: (model: LoadedModelInfo, randomWeights: boolean) => void;
  setFailed: (error: SerializedError) => void;
  /** The engine's worker ended; the model it had (or was opening) is reopened by the next run. */
  setLost: (error: SerializedError) => void;
  /** The chosen source could not be read: nothing was loaded, so a loaded model stays. */
  setReadFailed: (error: SerializedError) => void;
  setCache: (cached: CachedBundle[], storage: StorageUse | null) => void;
  setCacheError: (error: SerializedError) => void;
  setPersisted: (persisted: boolean | null) => void;
}

/** How the loaded model resizes images; before one is loaded, DepictQA-Wild's 224 / 672, as most models do. */
export function selectImageRule(state: Pick<ModelState, 'model'>): ResizeRule {
  return state.model?.imageRule ?? DEPICTQA_WILD_RULE;
}

/** The model the page has loaded, the one being checked or loaded, and the download cache. Data only. */
export const useModelStore = create<ModelState>()((set) => ({
  status: 'empty',
  check: 'none',
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
  persisted: null,
  cacheError: null,
  // Reading a manifest or checking it leaves a loaded model in place: the engine replaces it only on Load.
  startReading: (source) => set({ check: 'reading', source, pending: null, choice: {}, error: null }),
  setPending: (pending) => set({ check: 'checked', pending, choice: {}, error: null }),
  setChoice: (choice) => set((state) => ({ choice: { ...state.choice, ...choice } })),
  cancelPending: () => set({ check: 'none', pending: null, choice: {} }),
  // A failed or replaced load leaves no model: the engine releases the old one once the new bundle opens.
  startLoad: (source) => set({ status: 'loading', check: 'none', pending: null, source, progress: null, files: {}, error: null }),
  setProgress: (progress) =>
    set((state) => ({
      progress,
      files: {
        ...state.files,
        [progress.file]: { bytesLoaded: progress.fileBytesLoaded, bytesTotal: progress.fileBytesTotal, fromCache: progress.fromCache },
      },
    })),
  setReady: (model, randomWeights) => set({ status: 'ready', model, randomWeights, error: null }),
  setFailed: (error) => set({ status: 'failed', model: null, randomWeights: false, error }),
  // What was loaded stays described: it is what the next run reopens.
  setLost: (error) => set({ status: 'lost', progress: null, files: {}, error }),
  setReadFailed: (error) => set({ check: 'none', pending: null, error }),
  setCache: (cached, storage) => set({ cached, storage, cacheError: null }),
  setCacheError: (cacheError) => set({ cacheError }),
  setPersisted: (persisted) => set({ persisted }),
}));
