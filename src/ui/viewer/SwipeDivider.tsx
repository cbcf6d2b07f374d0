import { useRef } from 'react';

interface Props {
  /** 0..1 of the frame's width. */
  position: number;
  setPosition: (value: number) => void;
  leftLabel: string;
  rightLabel: string;
}

/** The swipe divider: drag it (it does not pan the images), or focus it and use the arrow keys. */
export function SwipeDivider({ position, setPosition, leftLabel, rightLabel }: Props) {
  const dragging = useRef(false);
  const follow = (clientX: number, handle: HTMLElement) => {
    const frame = handle.parentElement!.getBoundingClientRect();
    setPosition((clientX - frame.left) / frame.width);
  };
  return (
    <div
      role="slider"
      tabIndex={0}
      aria-label={`Divider between ${leftLabel} (left) and ${rightLabel} (right)`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(position * 100)}
      aria-valuetext={`${Math.round(position * 100)}% ${leftLabel}`}
      aria-orientation="horizontal"
      data-testid="viewer-swipe-divider"
      className="absolute top-0 bottom-0 z-10 w-6 -translate-x-1/2 cursor-ew-resize touch-none rounded-md focus-visible:outline-2 focus-visible:outline-sky-500"
      style={{ left: `${position * 100}%` }}
      onPointerDown={(event) => {
        event.stopPropagation(); // the pane would pan
        event.currentTarget.setPointerCapture(event.pointerId);
        dragging.current = true;
      }}
      onPointerMove={(event) => {
        if (dragging.current) follow(event.clientX, event.currentTarget);
      }}
      onPointerUp={() => (dragging.current = false)}
      onPointerCancel={() => (dragging.current = false)}
      onKeyDown={(event) => {
        const step = event.shiftKey ? 0.1 : 0.02;
        if (event.key === 'ArrowLeft') setPosition(position - step);
        else if (event.key === 'ArrowRight') setPosition(position + step);
        else if (event.key === 'Home') setPosition(0);
        else if (event.key === 'End') setPosition(1);
        else return;
        event.preventDefault();
        event.stopPropagation();
      }}
    >
      <div className="absolute top-0 bottom-0 left-1/2 w-0.5 -translate-x-1/2 bg-white shadow-[0_0_0_1px_rgb(15_23_42/0.5)]" />
      <div className="absolute top-1/2 left-1/2 flex h-8 w-5 -translate-x-1/2 -translate-y-1/2 items-center justify-center rounded-md border border-slate-400 bg-white text-xs text-slate-600 shadow">
        ⇆
      </div>
    </div>
  );
}
