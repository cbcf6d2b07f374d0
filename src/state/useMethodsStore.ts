import { create } from 'zustand';
import type { PriorComparison } from '../core/engine/rank.ts';
import type { SerializedError } from '../core/errors.ts';
import type { MethodsReport, OutputMetrics } from '../core/methods/methodsReport.ts';
import type { RankingMode } from '../core/ranking/index.ts';
import type { SlotImage } from './useImageStore.ts';

export type MethodsStatus = 'idle' | 'reading' | 'ready' | 'running' | 'done' | 'stopped' | 'failed';

/** One test image: its reference and each method's output that takes part, in the methods' order. */
export interface MethodsId {
  id: string;
  reference: SlotImage | null;
  outputs: Array<{ method: string; image: SlotImage }>;
}

/** What was matched: the ids × methods table the page shows before a run. */
export interface MethodsMatch {
  methods: string[];
  referenceFolder: string | null;
  ids: MethodsId[];
  missing: MethodsReport['missing'];
  skipped: MethodsReport['skipped'];
  metrics: OutputMetrics;
}

export interface MethodsProgress {
  done: number;
  /** Ordered comparisons planned at most (an active id may stop sooner). */
  planned: number;
  /** Comparisons found in the saved run (not counted in the ETA). */
  prior: number;
  /** performance.now() of the first new comparison, or null before it. */
  comparingSince: number | null;
  /** The id being compared. */
  current: string | null;
}

export interface ResumableMethods {
  key: string;
  methods: number;
  ids: number;
  comparisons: number;
  updatedAt: number;
}

export interface MethodsState {
  status: MethodsStatus;
  mode: RankingMode;
  match: MethodsMatch | null;
  /** Why files were left out or refused while reading. */
  notices: string[];
  progress: MethodsProgress | null;
  /** By id: its ordered comparisons, indices into that id's outputs. */
  comparisons: Record<string, PriorComparison[]>;
  report: MethodsReport | null;
  error: SerializedError | null;
  resumable: ResumableMethods | null;
  setReading: () => void;
  setMatch: (match: MethodsMatch, notices: string[]) => void;
  setMode: (mode: RankingMode) => void;
  start: (comparisons: Record<string, PriorComparison[]>, planned: number, prior: number) => void;
  setProgress: (patch: Partial<MethodsProgress>) => void;
  addComparison: (id: string, comparison: PriorComparison) => void;
  finish: (report: MethodsReport, stopped: boolean) => void;
  fail: (error: SerializedError) => void;
  setResumable: (resumable: ResumableMethods | null) => void;
  clear: () => void;
  /** Shows a saved comparison (from History) as it ended; its images are not kept, so there is nothing to open. */
  showSaved: (match: MethodsMatch, report: MethodsReport, stopped: boolean) => void;
}

/** The Methods mode: the matched test set, the running comparison's progress, and the method-level result. */
export const useMethodsStore = create<MethodsState>()((set) => ({
  status: 'idle',
  mode: 'active',
  match: null,
  notices: [],
  progress: null,
  comparisons: {},
  report: null,
  error: null,
  resumable: null,
  setReading: () => set({ status: 'reading', error: null, notices: [] }),
  setMatch: (match, notices) => set({ status: 'ready', match, notices, comparisons: {}, report: null, progress: null, error: null }),
  setMode: (mode) => set({ mode }),
  start: (comparisons, planned, prior) => set({ status: 'running', comparisons, report: null, error: null, progress: { done: prior, planned, prior, comparingSince: null, current: null } }),
  setProgress: (patch) => set((state) => (state.progress === null ? {} : { progress: { ...state.progress, ...patch } })),
  addComparison: (id, comparison) =>
    set((state) => ({
      comparisons: { ...state.comparisons, [id]: [...(state.comparisons[id] ?? []), comparison] },
      progress: state.progress === null ? null : { ...state.progress, done: state.progress.done + 1 },
    })),
  finish: (report, stopped) => set({ status: stopped ? 'stopped' : 'done', report }),
  fail: (error) => set({ status: 'failed', error }),
  setResumable: (resumable) => set({ resumable }),
  clear: () => set({ status: 'idle', match: null, notices: [], progress: null, comparisons: {}, report: null, error: null }),
  showSaved: (match, report, stopped) => set({ status: stopped ? 'stopped' : 'done', match, report, notices: [], progress: null, comparisons: {}, error: null }),
}));
