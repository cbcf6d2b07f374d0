import { create } from 'zustand';
import type { PriorComparison, RankResult } from '../core/engine/rank.ts';
import type { SerializedError } from '../core/errors.ts';
import type { RankingMode } from '../core/ranking/index.ts';
import type { SlotImage } from './useImageStore.ts';

export type RankStatus = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

/** Where a running ranking is: ordered comparisons done of those planned (at most; an active ranking may stop sooner). */
export interface RankProgress {
  done: number;
  planned: number;
  /** Comparisons taken from a saved session: not run again, so not counted in the ETA. */
  prior: number;
  /** Images encoded of those to encode. */
  encoded: number;
  toEncode: number;
  /** When the first new comparison was started (ms, performance.now()); null while encoding. */
  comparingSince: number | null;
}

/** A saved, unfinished ranking this browser holds: what the resume card offers. */
export interface ResumableRanking {
  key: string;
  candidates: number;
  comparisons: number;
  hasReference: boolean;
  mode: RankingMode;
  updatedAt: number;
}

export interface RankState {
  reference: SlotImage | null;
  candidates: SlotImage[];
  mode: RankingMode;
  /** Why the last files were (partly) refused: duplicates, too many, unreadable. */
  notices: string[];
  status: RankStatus;
  progress: RankProgress | null;
  /** Every ordered comparison of the ranking shown, prior ones included, in the order they were made. */
  comparisons: PriorComparison[];
  result: RankResult | null;
  /** The candidates and reference the result ranks (the inputs may change afterwards). */
  ranked: { reference: SlotImage | null; candidates: SlotImage[] } | null;
  error: SerializedError | null;
  resumable: ResumableRanking | null;
  setReference: (image: SlotImage | null) => void;
  addCandidates: (images: SlotImage[], notices: string[]) => void;
  removeCandidate: (id: string) => void;
  clearCandidates: () => void;
  setMode: (mode: RankingMode) => void;
  setNotices: (notices: string[]) => void;
  start: (prior: PriorComparison[], planned: number, toEncode: number) => void;
  setProgress: (patch: Partial<RankProgress>) => void;
  addComparison: (comparison: PriorComparison, done: number) => void;
  finish: (result: RankResult) => void;
  fail: (error: SerializedError) => void;
  setResumable: (resumable: ResumableRanking | null) => void;
  /** Shows a saved ranking (from History) with its images, as it ended. */
  showSaved: (saved: { reference: SlotImage | null; candidates: SlotImage[]; result: RankResult }) => void;
}

/** The Rank mode's inputs, the running ranking's progress and its outcome. Data only: the engine lives in src/client. */
export const useRankStore = create<RankState>()((set) => ({
  reference: null,
  candidates: [],
  mode: 'active',
  notices: [],
  status: 'idle',
  progress: null,
  comparisons: [],
  result: null,
  ranked: null,
  error: null,
  resumable: null,
  setReference: (reference) => set({ reference }),
  addCandidates: (images, notices) => set((state) => ({ candidates: [...state.candidates, ...images], notices })),
  removeCandidate: (id) => set((state) => ({ candidates: state.candidates.filter((image) => image.id !== id), notices: [] })),
  clearCandidates: () => set({ candidates: [], notices: [] }),
  setMode: (mode) => set({ mode }),
  setNotices: (notices) => set({ notices }),
  start: (prior, planned, toEncode) =>
    set((state) => ({
      status: 'running',
      comparisons: prior,
      result: null,
      error: null,
      ranked: { reference: state.reference, candidates: state.candidates },
      progress: { done: prior.length, planned, prior: prior.length, encoded: 0, toEncode, comparingSince: null },
    })),
  setProgress: (patch) => set((state) => (state.progress === null ? {} : { progress: { ...state.progress, ...patch } })),
  addComparison: (comparison, done) =>
    set((state) => ({
      comparisons: [...state.comparisons, comparison],
      progress: state.progress === null ? null : { ...state.progress, done },
    })),
  finish: (result) => set({ status: result.cancelled ? 'stopped' : 'done', result }),
  fail: (error) => set({ status: 'failed', error }),
  setResumable: (resumable) => set({ resumable }),
  showSaved: ({ reference, candidates, result }) =>
    set({
      reference,
      candidates,
      mode: result.mode,
      notices: [],
      status: result.cancelled ? 'stopped' : 'done',
      progress: null,
      comparisons: [],
      result,
      ranked: { reference, candidates },
      error: null,
    }),
}));
