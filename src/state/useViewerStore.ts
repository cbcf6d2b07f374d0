import { create } from 'zustand';
import type { ImageSlotId } from '../core/tasks.ts';
import type { DiffMode } from '../core/viewer/diffMap.ts';
import type { View } from '../core/viewer/zoomPan.ts';

/** 'side': every filled image in its own pane; 'flicker': one frame showing one image at a time; 'swipe': two images split by a divider. */
export type ViewerMode = 'side' | 'flicker' | 'swipe';
/** 'where': the local quality map's tiles (src/state/useLocalizeStore.ts). */
export type ViewerOverlay = 'none' | 'difference' | 'ssim' | 'where';
/** Which two images the swipe divider splits: left | right. */
export type SwipePair = 'a-b' | 'reference-a' | 'reference-b';

export const SWIPE_SLOTS: Record<SwipePair, [ImageSlotId, ImageSlotId]> = {
  'a-b': ['a', 'b'],
  'reference-a': ['reference', 'a'],
  'reference-b': ['reference', 'b'],
};

/** Auto-flicker intervals offered, in ms; 0 is off. */
export const FLICKER_INTERVALS_MS = [0, 250, 500, 1000, 2000] as const;
export type FlickerIntervalMs = (typeof FLICKER_INTERVALS_MS)[number];

interface ViewerState {
  mode: ViewerMode;
  /** The image the flicker frame shows. */
  shown: ImageSlotId;
  /** Flicker cycles A ↔ B, or reference → A → B when this is on. */
  flickerWithReference: boolean;
  flickerIntervalMs: FlickerIntervalMs;
  swipePair: SwipePair;
  /** Divider position, 0..1 of the frame's width. */
  swipePosition: number;
  overlay: ViewerOverlay;
  diffMode: DiffMode;
  /** The heat scale's top is at 255 / amplification. */
  amplification: number;
  /** 0..1 */
  ssimOpacity: number;
  /** null: fitted to the panes (and kept fitted when they resize). */
  view: View | null;
  setMode: (mode: ViewerMode) => void;
  show: (slot: ImageSlotId) => void;
  setFlickerWithReference: (value: boolean) => void;
  setFlickerInterval: (value: FlickerIntervalMs) => void;
  setSwipePair: (pair: SwipePair) => void;
  setSwipePosition: (value: number) => void;
  setOverlay: (overlay: ViewerOverlay) => void;
  setDiffMode: (mode: DiffMode) => void;
  setAmplification: (value: number) => void;
  setSsimOpacity: (value: number) => void;
  setView: (view: View | null) => void;
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

export const useViewerStore = create<ViewerState>()((set) => ({
  mode: 'side',
  shown: 'a',
  flickerWithReference: false,
  flickerIntervalMs: 0,
  swipePair: 'a-b',
  swipePosition: 0.5,
  overlay: 'none',
  diffMode: 'channel',
  amplification: 4,
  ssimOpacity: 0.6,
  view: null,
  setMode: (mode) => set((state) => ({ mode, flickerIntervalMs: mode === 'flicker' ? state.flickerIntervalMs : 0 })),
  show: (shown) => set({ shown }),
  setFlickerWithReference: (flickerWithReference) => set({ flickerWithReference }),
  setFlickerInterval: (flickerIntervalMs) => set({ flickerIntervalMs }),
  setSwipePair: (swipePair) => set({ swipePair }),
  setSwipePosition: (value) => set({ swipePosition: clamp01(value) }),
  setOverlay: (overlay) => set({ overlay }),
  setDiffMode: (diffMode) => set({ diffMode }),
  setAmplification: (amplification) => set({ amplification }),
  setSsimOpacity: (value) => set({ ssimOpacity: clamp01(value) }),
  setView: (view) => set({ view }),
}));
