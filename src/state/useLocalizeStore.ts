import { create } from 'zustand';
import type { LocalizeRecord, LocalizeTile } from '../core/engine/localize.ts';
import type { SerializedError } from '../core/errors.ts';

export type LocalizeStatus = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

/** The images a map was made of, by their hashes: the viewer draws it only over these. */
export interface MapImageIds {
  reference: string | null;
  a: string;
  b: string | null;
}

export interface GridChoice {
  rows: number | null;
  cols: number | null;
}

/** Whether a map was made of the images the slots hold now (by their hashes). */
export function mapMatches(ids: MapImageIds | null, images: { reference: { id: string } | null; a: { id: string } | null; b: { id: string } | null }): boolean {
  return ids !== null && images.a?.id === ids.a && (images.b?.id ?? null) === ids.b && (images.reference?.id ?? null) === ids.reference;
}

interface LocalizeState {
  status: LocalizeStatus;
  /** The rows and columns asked for; null on a side: as many as put tiles near the model's input size. */
  gridChoice: GridChoice;
  /** What the map shown (or running) was made of. */
  images: MapImageIds | null;
  mode: LocalizeRecord['mode'] | null;
  /** The tiles so far, in grid order (all of them once done). */
  tiles: LocalizeTile[];
  progress: { done: number; total: number } | null;
  /** The engine's record, once the map is done or stopped. */
  record: LocalizeRecord | null;
  error: SerializedError | null;
  /** The History record of the map shown: a map that goes on from its tiles updates it. */
  savedId: string | null;
  /** The tile whose crops were last explained, as `tileName` names it. */
  selected: string | null;
  setGridChoice: (choice: GridChoice) => void;
  /** A new map, or one going on from `prior` (its tiles so far), saved as History record `savedId`. */
  start: (images: MapImageIds, mode: LocalizeRecord['mode'], savedId: string, prior?: LocalizeTile[]) => void;
  addTile: (tile: LocalizeTile, done: number, total: number) => void;
  finish: (record: LocalizeRecord) => void;
  fail: (error: SerializedError) => void;
  /** A saved map, shown again from History. */
  showSaved: (images: MapImageIds, record: LocalizeRecord, savedId: string) => void;
  select: (name: string | null) => void;
  clear: () => void;
}

const EMPTY = { status: 'idle', images: null, mode: null, tiles: [], progress: null, record: null, error: null, selected: null, savedId: null } as const;

/** The viewer's local quality map ("Where"): the tiles as they arrive and the finished record. */
export const useLocalizeStore = create<LocalizeState>()((set) => ({
  ...EMPTY,
  tiles: [],
  gridChoice: { rows: null, cols: null },
  setGridChoice: (gridChoice) => set({ gridChoice }),
  start: (images, mode, savedId, prior) =>
    set((state) => ({ ...EMPTY, status: 'running', images, mode, savedId, tiles: prior ?? [], progress: prior === undefined ? null : state.progress, selected: prior === undefined ? null : state.selected })),
  // The tiles arrive in grid order; a map gone on with shows its earlier tiles from the start, and they come again first.
  addTile: (tile, done, total) =>
    set((state) => {
      const tiles = [...state.tiles];
      tiles[done - 1] = tile;
      return { tiles, progress: { done: Math.max(done, state.progress?.done ?? 0), total } };
    }),
  finish: (record) =>
    set({ status: record.cancelled ? 'stopped' : 'done', record, tiles: record.tiles, mode: record.mode, progress: { done: record.tiles.length, total: record.grid.rows * record.grid.cols } }),
  fail: (error) => set({ status: 'failed', error }),
  showSaved: (images, record, savedId) =>
    set({ ...EMPTY, savedId, status: record.cancelled ? 'stopped' : 'done', images, mode: record.mode, tiles: record.tiles, record, progress: { done: record.tiles.length, total: record.grid.rows * record.grid.cols } }),
  select: (selected) => set({ selected }),
  clear: () => set({ ...EMPTY, tiles: [] }),
}));
