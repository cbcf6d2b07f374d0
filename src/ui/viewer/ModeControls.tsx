import { Repeat } from 'lucide-react';
import { SLOT_LABELS, type ImageSlotId } from '../../core/tasks.ts';
import { nextFlickerSlot } from '../../core/viewer/viewerRules.ts';
import { FLICKER_INTERVALS_MS, useViewerStore, type FlickerIntervalMs, type SwipePair, type ViewerMode } from '../../state/useViewerStore.ts';
import { segmentButton, SEGMENT_GROUP, SMALL_SELECT, TOOL_BUTTON } from './ui.ts';

const MODES: ReadonlyArray<{ id: ViewerMode; label: string; title: string }> = [
  { id: 'side', label: 'Side by side', title: 'Every image in its own pane (Esc)' },
  { id: 'flicker', label: 'Flicker', title: 'One frame, one image at a time (F)' },
  { id: 'swipe', label: 'Swipe', title: 'Two images split by a divider (S)' },
];

const PAIR_LABELS: Record<SwipePair, string> = { 'a-b': 'A | B', 'reference-a': 'Reference | A', 'reference-b': 'Reference | B' };
const SHORT: Record<ImageSlotId, string> = { reference: 'Ref', a: 'A', b: 'B' };

interface Props {
  filled: ImageSlotId[];
  swipePairs: SwipePair[];
  swipePair: SwipePair | null;
}

/** The mode switch and the current mode's settings: which image flickers and how fast, which pair is swiped. */
export function ModeControls({ filled, swipePairs, swipePair }: Props) {
  const { mode, setMode, shown, show, flickerWithReference, setFlickerWithReference, flickerIntervalMs, setFlickerInterval, setSwipePair } = useViewerStore();
  const visible = filled.includes(shown) ? shown : filled[0]!;
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
      <div className={SEGMENT_GROUP} role="group" aria-label="View mode">
        {MODES.map((option) => (
          <button
            key={option.id}
            type="button"
            title={option.title}
            aria-pressed={mode === option.id}
            disabled={option.id === 'swipe' && swipePair === null}
            onClick={() => setMode(option.id)}
            className={segmentButton(mode === option.id)}
          >
            {option.label}
          </button>
        ))}
      </div>
      {mode === 'flicker' && (
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
          <div className={SEGMENT_GROUP} role="group" aria-label="Shown image">
            {filled.map((slot) => (
              <button
                key={slot}
                type="button"
                aria-pressed={visible === slot}
                aria-label={`Show ${SLOT_LABELS[slot]}`}
                title={`${SLOT_LABELS[slot]} (${slot === 'reference' ? '1 or R' : slot === 'a' ? '2 or A' : '3 or B'})`}
                onClick={() => show(slot)}
                className={segmentButton(visible === slot)}
              >
                {SHORT[slot]}
              </button>
            ))}
          </div>
          <button type="button" className={TOOL_BUTTON} onClick={() => show(nextFlickerSlot(visible, filled, flickerWithReference))} title="Next image (F)">
            <Repeat aria-hidden="true" className="size-4" />
            Flick
          </button>
          <label className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-200">
            <input type="checkbox" checked={flickerWithReference} onChange={(event) => setFlickerWithReference(event.target.checked)} className="accent-sky-600" />
            with reference
          </label>
          <label className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-200">
            Auto
            <select
              value={flickerIntervalMs}
              onChange={(event) => setFlickerInterval(Number(event.target.value) as FlickerIntervalMs)}
              className={SMALL_SELECT}
              data-testid="viewer-flicker-interval"
            >
              {FLICKER_INTERVALS_MS.map((ms) => (
                <option key={ms} value={ms}>
                  {ms === 0 ? 'off' : ms < 1000 ? `every ${ms} ms` : `every ${ms / 1000} s`}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
      {mode === 'swipe' && swipePair !== null && (
        <label className="flex items-center gap-1.5 text-sm text-slate-700 dark:text-slate-200">
          Split
          <select value={swipePair} onChange={(event) => setSwipePair(event.target.value as SwipePair)} className={SMALL_SELECT}>
            {swipePairs.map((pair) => (
              <option key={pair} value={pair}>
                {PAIR_LABELS[pair]}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
