import { create } from 'zustand';
import type { HistoryRecord } from '../core/history/record.ts';

/** 'unavailable': the browser refused the database (the page works, runs are not saved). */
export type HistoryStoreStatus = 'loading' | 'ready' | 'unavailable';

interface HistoryState {
  status: HistoryStoreStatus;
  /** Saved runs, newest first. */
  runs: HistoryRecord[];
  /** Object URLs of list thumbnails by image sha256; revoked when no listed run uses the image. */
  thumbnails: Record<string, string>;
  /** The saved run shown in the answer panel, if one was opened. */
  openedId: string | null;
  setLoaded: (runs: HistoryRecord[], thumbnails: Record<string, string>) => void;
  setUnavailable: () => void;
  /** Adds a run or replaces the one with its id, keeping newest first. */
  upsert: (run: HistoryRecord) => void;
  addThumbnail: (sha256: string, url: string) => void;
  remove: (id: string) => void;
  clear: () => void;
  setOpened: (id: string | null) => void;
}

/** The saved runs the history panel lists. Data only: the database lives in `src/ui/history`. */
export const useHistoryStore = create<HistoryState>()((set, get) => {
  const keepThumbnails = (runs: HistoryRecord[]): Record<string, string> => {
    const used = new Set(runs.flatMap((run) => run.images.map((image) => image.sha256)));
    const kept: Record<string, string> = {};
    for (const [sha256, url] of Object.entries(get().thumbnails)) {
      if (used.has(sha256)) kept[sha256] = url;
      else URL.revokeObjectURL(url);
    }
    return kept;
  };
  return {
    status: 'loading',
    runs: [],
    thumbnails: {},
    openedId: null,
    setLoaded: (runs, thumbnails) => set({ status: 'ready', runs, thumbnails }),
    setUnavailable: () => set({ status: 'unavailable' }),
    upsert: (run) =>
      set((state) => ({
        runs: [...state.runs.filter((other) => other.id !== run.id), run].sort((x, y) => y.startedAt - x.startedAt),
      })),
    addThumbnail: (sha256, url) => {
      const previous = get().thumbnails[sha256];
      if (previous !== undefined) URL.revokeObjectURL(previous);
      set((state) => ({ thumbnails: { ...state.thumbnails, [sha256]: url } }));
    },
    remove: (id) => {
      const runs = get().runs.filter((run) => run.id !== id);
      set((state) => ({ runs, thumbnails: keepThumbnails(runs), openedId: state.openedId === id ? null : state.openedId }));
    },
    clear: () => set({ runs: [], thumbnails: keepThumbnails([]), openedId: null }),
    setOpened: (openedId) => set({ openedId }),
  };
});
