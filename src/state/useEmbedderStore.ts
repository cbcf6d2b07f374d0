import { create } from 'zustand';
import type { LoadProgress } from '../core/bundle/bundleFiles.ts';
import type { CachedEmbedder, EmbedderInfo } from '../core/engine/embedder.ts';
import type { SerializedError } from '../core/errors.ts';

/**
 * The sentence model of the detailed-answer confidence: 'none' until one is asked for; 'loading' while it is
 * downloaded or opened; 'ready' once the engine holds it (a worker that is lost reopens it at the next use).
 */
export type EmbedderStatus = 'none' | 'loading' | 'ready' | 'failed';

interface EmbedderState {
  status: EmbedderStatus;
  /** Where the load in progress (or the last one) reads from, for messages. */
  source: string | null;
  progress: LoadProgress | null;
  info: EmbedderInfo | null;
  error: SerializedError | null;
  /** The URL field: where a download reads from (the page's default until the user types another). */
  url: string;
  /** The cache's copies: null until listed. */
  cached: CachedEmbedder[] | null;
  cacheError: SerializedError | null;
  setUrl: (url: string) => void;
  startLoad: (source: string) => void;
  setProgress: (progress: LoadProgress) => void;
  setReady: (info: EmbedderInfo) => void;
  setFailed: (error: SerializedError) => void;
  setCache: (cached: CachedEmbedder[]) => void;
  setCacheError: (error: SerializedError) => void;
}

/** The sentence model the page has loaded (or is loading) and its cached copies. Data only. */
export const useEmbedderStore = create<EmbedderState>()((set) => ({
  status: 'none',
  source: null,
  progress: null,
  info: null,
  error: null,
  url: '',
  cached: null,
  cacheError: null,
  setUrl: (url) => set({ url }),
  // A failed load leaves the sentence model loaded before in the engine (it is replaced only once the new one opens).
  startLoad: (source) => set({ status: 'loading', source, progress: null, error: null }),
  setProgress: (progress) => set({ progress }),
  setReady: (info) => set({ status: 'ready', info, progress: null, error: null }),
  setFailed: (error) => set((state) => ({ status: state.info === null ? 'failed' : 'ready', progress: null, error })),
  setCache: (cached) => set({ cached, cacheError: null }),
  setCacheError: (cacheError) => set({ cacheError }),
}));
