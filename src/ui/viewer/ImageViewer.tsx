import { useEffect, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { ImageSlotId } from '../../core/tasks.ts';
import { keyAction, nextFlickerSlot, overlayBlocker, whereBlocker, type ViewerAction } from '../../core/viewer/viewerRules.ts';
import { tileAt } from '../../core/localize/tileView.ts';
import { explainTile } from '../localize/localizeActions.ts';
import { boundingSize, isMagnified, viewTransform } from '../../core/viewer/zoomPan.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { SWIPE_SLOTS, useViewerStore, type SwipePair } from '../../state/useViewerStore.ts';
import { ModeControls } from './ModeControls.tsx';
import { OverlayControls } from './OverlayControls.tsx';
import { useDevicePixelRatio } from './useDevicePixelRatio.ts';
import { useMapOfSlots } from './useMapOfSlots.ts';
import { useViewControls } from './useViewControls.ts';
import { ViewerFrames } from './ViewerFrames.tsx';
import { ZoomControls } from './ZoomControls.tsx';

const ORDER: ImageSlotId[] = ['reference', 'a', 'b'];

/**
 * Look closely: the filled images at one shared zoom and pan, side by side, flickered or swiped, with difference and
 * SSIM overlays, and the local quality map ("Where"), whose tiles answer a click.
 */
export function ImageViewer() {
  const anyImage = useImageStore((state) => ORDER.some((slot) => state.images[slot] !== null));
  return anyImage ? <ViewerBody /> : null;
}

function ViewerBody() {
  const images = useImageStore((state) => state.images);
  const store = useViewerStore();
  const dpr = useDevicePixelRatio();
  const [helpOpen, setHelpOpen] = useState(false);
  const filled = ORDER.filter((slot) => images[slot] !== null);
  const sizes = filled.map((slot) => images[slot]!);
  const bounds = boundingSize(sizes);
  const boundsKey = bounds === null ? '' : `${bounds.width}×${bounds.height}`;
  const controls = useViewControls(bounds, dpr);
  const mapTiles = useMapOfSlots();
  const { mode, shown, flickerWithReference, flickerIntervalMs, overlay } = store;

  // A mode change replaces the panes; when the focused one goes, focus the new frame so the keys keep working.
  const section = useRef<HTMLElement>(null);
  const hadFocus = useRef(false);
  useLayoutEffect(() => {
    const root = section.current;
    if (root === null || !hadFocus.current || root.contains(document.activeElement)) return;
    root.querySelector<HTMLElement>('[data-testid=viewer-pane]')?.focus();
  }, [mode]);
  const onFocus = () => (hadFocus.current = true);
  const onBlur = (event: FocusEvent) => {
    // relatedTarget is null when the focused element was removed: that is not the user leaving the viewer.
    if (event.relatedTarget !== null && !section.current?.contains(event.relatedTarget as Node)) hadFocus.current = false;
  };

  // New image sizes: start again from the fitted view.
  useEffect(() => useViewerStore.getState().setView(null), [boundsKey]);

  const blockers = (['a', 'b'] as const).flatMap((slot) => {
    const reason = overlayBlocker(slot, images[slot], images.reference);
    return reason === null ? [] : [reason];
  });
  const comparable = (['a', 'b'] as const).filter((slot) => images[slot] !== null && images.reference !== null && overlayBlocker(slot, images[slot], images.reference) === null);
  const swipePairs = (Object.keys(SWIPE_SLOTS) as SwipePair[]).filter((pair) => SWIPE_SLOTS[pair].every((slot) => images[slot] !== null));
  const swipePair = swipePairs.includes(store.swipePair) ? store.swipePair : (swipePairs[0] ?? null);

  // Auto-flicker: the next image every interval, while the flicker frame is shown.
  const filledKey = filled.join(',');
  useEffect(() => {
    if (mode !== 'flicker' || flickerIntervalMs === 0) return;
    const slots = filledKey.split(',') as ImageSlotId[];
    const timer = window.setInterval(() => {
      const state = useViewerStore.getState();
      state.show(nextFlickerSlot(state.shown, slots, state.flickerWithReference));
    }, flickerIntervalMs);
    return () => window.clearInterval(timer);
  }, [mode, flickerIntervalMs, filledKey]);

  const run = (action: ViewerAction): boolean => {
    switch (action.type) {
      case 'show':
        if (images[action.slot] === null) return false;
        store.show(action.slot);
        store.setMode('flicker');
        return true;
      case 'flicker':
        if (mode === 'flicker') store.show(nextFlickerSlot(filled.includes(shown) ? shown : filled[0]!, filled, flickerWithReference));
        else store.setMode('flicker');
        return true;
      case 'swipe':
        if (mode === 'swipe') store.setMode('side');
        else if (swipePair !== null) store.setMode('swipe');
        return true;
      case 'sideBySide':
        if (mode === 'side') return false;
        store.setMode('side');
        return true;
      case 'difference':
      case 'ssim': {
        const target = action.type === 'difference' ? 'difference' : 'ssim';
        if (comparable.length > 0) store.setOverlay(overlay === target ? 'none' : target);
        return true;
      }
      case 'where':
        if (whereBlocker(images) === null) store.setOverlay(overlay === 'where' ? 'none' : 'where');
        return true;
      case 'fit':
        controls.fit();
        return true;
      case 'actualSize':
        controls.actualSize();
        return true;
      case 'zoom':
        controls.zoomStep(action.direction);
        return true;
      case 'help':
        setHelpOpen(!helpOpen);
        return true;
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    // Typing in a field or choosing in a list keeps its keys.
    if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return;
    if (target.tagName === 'INPUT' && !['range', 'checkbox', 'radio'].includes((target as HTMLInputElement).type)) return;
    if (event.key === 'Escape' && helpOpen) {
      setHelpOpen(false);
      event.preventDefault();
      return;
    }
    const action = keyAction(event);
    if (action !== null && run(action)) event.preventDefault();
  };

  const view = controls.view;
  // A click on a tile of the map asks the model why, about that tile's crops.
  const tap = (point: { x: number; y: number }) => {
    if (mapTiles === null || view === null) return;
    const tile = tileAt(mapTiles, (point.x - view.x) / view.scale, (point.y - view.y) / view.scale);
    if (tile !== null && !tile.skipped) void explainTile(tile);
  };
  const transform = view === null ? 'scale(0)' : viewTransform(view, dpr);
  const pixelated = view !== null && isMagnified(view.scale, dpr);

  return (
    <section
      aria-labelledby="viewer-heading"
      data-testid="image-viewer"
      data-mode={mode}
      ref={section}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      onBlur={onBlur}
      className="space-y-3 rounded-xl border border-slate-200 bg-white p-3 sm:p-4 dark:border-slate-700 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="viewer-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          Viewer
        </h2>
        <ZoomControls controls={controls} dpr={dpr} helpOpen={helpOpen} setHelpOpen={setHelpOpen} />
      </div>
      <ModeControls filled={filled} swipePairs={swipePairs} swipePair={swipePair} />
      <ViewerFrames
        images={images}
        filled={filled}
        comparable={comparable}
        transform={transform}
        pixelated={pixelated}
        gestures={{ pan: controls.pan, zoom: controls.zoom, resize: controls.resize, tap }}
        swipe={swipePair === null ? null : SWIPE_SLOTS[swipePair]}
      />
      <OverlayControls images={images} comparable={comparable} blockers={blockers} />
    </section>
  );
}
