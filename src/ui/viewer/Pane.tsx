import { useEffect, useRef, type ReactNode } from 'react';
import type { Size } from '../../core/viewer/zoomPan.ts';

export interface PaneGestures {
  /** Move the view by (dx, dy) CSS pixels. */
  pan: (dx: number, dy: number) => void;
  /** Zoom by a factor about a point in pane CSS pixels. */
  zoom: (factor: number, anchor: { x: number; y: number }) => void;
  /** The pane's size changed (reported by one pane: all have the same size). */
  resize: (size: Size) => void;
  /** A click that did not pan (the pointer moved less than a few pixels), at a point in pane CSS pixels. */
  tap?: (point: { x: number; y: number }) => void;
}

/** How far a press may move and still be a click rather than a pan. */
const TAP_SLOP_PX = 4;

interface Props {
  gestures: PaneGestures;
  /** Report this pane's size through gestures.resize. */
  measure: boolean;
  label: string;
  className: string;
  testId: string;
  slot?: string;
  children: ReactNode;
}

/** A frame that shows image layers at the shared view; dragging pans and the wheel zooms about the pointer, for every pane at once. */
export function Pane({ gestures, measure, label, className, testId, slot, children }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const latest = useRef(gestures);
  const drag = useRef<{ id: number; x: number; y: number; fromX: number; fromY: number } | null>(null);

  useEffect(() => {
    latest.current = gestures;
  });

  useEffect(() => {
    const element = ref.current!;
    // Not a React handler: React's wheel listeners are passive, and the page must not scroll while zooming.
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const box = element.getBoundingClientRect();
      // Lines and pages are rare (mouse wheels in Firefox); treat them as about 40 px.
      const pixels = event.deltaMode === 0 ? event.deltaY : event.deltaY * 40;
      latest.current.zoom(Math.exp(-pixels * 0.002), { x: event.clientX - box.left, y: event.clientY - box.top });
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    if (!measure) return () => element.removeEventListener('wheel', onWheel);
    const observer = new ResizeObserver(([entry]) => {
      const box = entry!.contentRect;
      if (box.width > 0 && box.height > 0) latest.current.resize({ width: box.width, height: box.height });
    });
    observer.observe(element);
    return () => {
      element.removeEventListener('wheel', onWheel);
      observer.disconnect();
    };
  }, [measure]);

  return (
    <div
      ref={ref}
      tabIndex={0}
      role="group"
      aria-label={`${label}: drag to pan, wheel or + and − to zoom`}
      data-testid={testId}
      data-slot={slot}
      className={`relative cursor-grab touch-none overflow-hidden rounded-lg border border-slate-200 bg-[repeating-conic-gradient(var(--color-slate-100)_0_25%,white_0_50%)] bg-[length:16px_16px] select-none focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 active:cursor-grabbing dark:border-slate-700 dark:bg-[repeating-conic-gradient(var(--color-slate-800)_0_25%,var(--color-slate-900)_0_50%)] ${className}`}
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { id: event.pointerId, x: event.clientX, y: event.clientY, fromX: event.clientX, fromY: event.clientY };
      }}
      onPointerMove={(event) => {
        const start = drag.current;
        if (start === null || start.id !== event.pointerId) return;
        drag.current = { ...start, x: event.clientX, y: event.clientY };
        gestures.pan(event.clientX - start.x, event.clientY - start.y);
      }}
      onPointerUp={(event) => {
        const start = drag.current;
        drag.current = null;
        if (start === null || start.id !== event.pointerId || gestures.tap === undefined) return;
        if (Math.hypot(event.clientX - start.fromX, event.clientY - start.fromY) >= TAP_SLOP_PX) return;
        const box = event.currentTarget.getBoundingClientRect();
        gestures.tap({ x: event.clientX - box.left, y: event.clientY - box.top });
      }}
      onPointerCancel={() => (drag.current = null)}
    >
      {children}
    </div>
  );
}
