import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { actualSizeView, clampView, fitView, panBy, zoomBy, ZOOM_STEP, type Size, type View } from '../../core/viewer/zoomPan.ts';
import { useViewerStore } from '../../state/useViewerStore.ts';

export interface ViewControls {
  /** The view every pane shows; null until the panes have been measured. */
  view: View | null;
  pane: Size | null;
  pan: (dx: number, dy: number) => void;
  zoom: (factor: number, anchor?: { x: number; y: number }) => void;
  zoomStep: (direction: 1 | -1) => void;
  fit: () => void;
  actualSize: () => void;
  resize: (size: Size) => void;
}

/**
 * The shared view of the panes: fitted until the user zooms or pans, then kept in the viewer store. `bounds`
 * is the largest image's size, so images of different sizes share one image-pixel grid anchored top-left.
 */
export function useViewControls(bounds: Size | null, devicePixelRatio: number): ViewControls {
  const stored = useViewerStore((state) => state.view);
  const [pane, setPane] = useState<Size | null>(null);
  // The handlers read the newest values at call time: several pointer moves can arrive within one render.
  const latest = useRef({ bounds, pane, devicePixelRatio });
  useLayoutEffect(() => {
    latest.current = { bounds, pane, devicePixelRatio };
  });

  const current = (): { view: View; bounds: Size; pane: Size; dpr: number } | null => {
    const { bounds: b, pane: p, devicePixelRatio: dpr } = latest.current;
    if (b === null || p === null) return null;
    return { view: useViewerStore.getState().view ?? fitView(b, p), bounds: b, pane: p, dpr };
  };
  const setView = useViewerStore((state) => state.setView);

  const pan = useCallback((dx: number, dy: number) => {
    const now = current();
    if (now) setView(panBy(now.view, dx, dy, now.bounds, now.pane));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const zoom = useCallback((factor: number, anchor?: { x: number; y: number }) => {
    const now = current();
    if (now) setView(zoomBy(now.view, factor, now.bounds, now.pane, now.dpr, anchor));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const zoomStep = useCallback((direction: 1 | -1) => zoom(direction === 1 ? ZOOM_STEP : 1 / ZOOM_STEP), [zoom]);
  const fit = useCallback(() => setView(null), [setView]);
  const actualSize = useCallback(() => {
    const now = current();
    if (now) setView(actualSizeView(now.bounds, now.pane, now.dpr, now.view));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const resize = useCallback((size: Size) => {
    const { pane: before, bounds: b } = latest.current;
    const view = useViewerStore.getState().view;
    // A zoomed view keeps the image point at the pane's centre where it is (e.g. on leaving side by side).
    if (view !== null && before !== null && b !== null) {
      const moved = { ...view, x: view.x + (size.width - before.width) / 2, y: view.y + (size.height - before.height) / 2 };
      setView(clampView(moved, b, size));
    }
    latest.current.pane = size;
    setPane((previous) => (previous !== null && previous.width === size.width && previous.height === size.height ? previous : size));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const view = bounds === null || pane === null ? null : stored === null ? fitView(bounds, pane) : clampView(stored, bounds, pane);
  return { view, pane, pan, zoom, zoomStep, fit, actualSize, resize };
}
