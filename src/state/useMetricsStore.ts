import { create } from 'zustand';
import type { SerializedError } from '../core/errors.ts';
import type { RunImages } from '../core/metrics/agreement.ts';
import type { MetricsResult } from '../core/metrics/computeMetrics.ts';

export type MetricValues = Omit<MetricsResult, 'ssimMap'>;
export type ComparedSlot = 'a' | 'b';

/** Classic metrics of one slot's image against the reference; `key` names the pair of images it is for. */
export type MetricsEntry =
  | { key: string; status: 'computing' }
  | { key: string; status: 'done'; values: MetricValues }
  | { key: string; status: 'size-mismatch'; size: [number, number]; referenceSize: [number, number] }
  | { key: string; status: 'error'; error: SerializedError };

interface MetricsState {
  entries: Record<ComparedSlot, MetricsEntry | null>;
  setEntry: (slot: ComparedSlot, entry: MetricsEntry | null) => void;
  /** The image ids the latest model run saw, so its verdict is set against the metrics of those images only. */
  runImages: RunImages | null;
  setRunImages: (images: RunImages | null) => void;
}

export const useMetricsStore = create<MetricsState>()((set) => ({
  entries: { a: null, b: null },
  setEntry: (slot, entry) => set((state) => ({ entries: { ...state.entries, [slot]: entry } })),
  runImages: null,
  setRunImages: (runImages) => set({ runImages }),
}));
