import { SLOT_LABELS, type ImageSlotId } from '../../core/tasks.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useViewerStore } from '../../state/useViewerStore.ts';
import { ImageLayer } from './ImageLayer.tsx';
import { Pane, type PaneGestures } from './Pane.tsx';
import { SwipeDivider } from './SwipeDivider.tsx';

interface Props {
  images: Record<ImageSlotId, SlotImage | null>;
  filled: ImageSlotId[];
  /** Slots whose overlays may be drawn. */
  comparable: ImageSlotId[];
  transform: string;
  pixelated: boolean;
  gestures: PaneGestures;
  /** The swipe pair to show, or null when no pair has both images. */
  swipe: [ImageSlotId, ImageSlotId] | null;
}

const SINGLE_FRAME = 'h-80 sm:h-[28rem]';

function Badge({ children, side = 'left' }: { children: string; side?: 'left' | 'right' }) {
  return (
    <span
      className={`pointer-events-none absolute top-1.5 z-10 rounded-md bg-slate-900/75 px-2 py-0.5 text-xs font-medium text-white ${side === 'left' ? 'left-1.5' : 'right-1.5'}`}
    >
      {children}
    </span>
  );
}

/** The panes of the current mode: side by side, one flicker frame, or one swipe frame. */
export function ViewerFrames({ images, filled, comparable, transform, pixelated, gestures, swipe }: Props) {
  const mode = useViewerStore((state) => state.mode);
  const shown = useViewerStore((state) => state.shown);
  const swipePosition = useViewerStore((state) => state.swipePosition);
  const setSwipePosition = useViewerStore((state) => state.setSwipePosition);
  const layer = (slot: ImageSlotId) => (
    <ImageLayer
      slot={slot}
      image={images[slot]!}
      reference={images.reference}
      transform={transform}
      pixelated={pixelated}
      overlayAllowed={comparable.includes(slot)}
    />
  );

  if (mode === 'swipe' && swipe !== null) {
    const [left, right] = swipe;
    return (
      <Pane gestures={gestures} measure label={`${SLOT_LABELS[left]} and ${SLOT_LABELS[right]}`} className={SINGLE_FRAME} testId="viewer-pane" slot="swipe">
        <div className="absolute inset-0" data-side="left">
          {layer(left)}
        </div>
        {/* The right image covers the frame from the divider on: a clip in pane coordinates, not image ones. */}
        <div className="absolute inset-0" data-side="right" style={{ clipPath: `inset(0 0 0 ${swipePosition * 100}%)` }}>
          {layer(right)}
        </div>
        <Badge>{SLOT_LABELS[left]}</Badge>
        <Badge side="right">{SLOT_LABELS[right]}</Badge>
        <SwipeDivider position={swipePosition} setPosition={setSwipePosition} leftLabel={SLOT_LABELS[left]} rightLabel={SLOT_LABELS[right]} />
      </Pane>
    );
  }

  if (mode === 'flicker') {
    const visible = filled.includes(shown) ? shown : filled[0]!;
    return (
      <Pane gestures={gestures} measure label={`Flicker frame showing ${SLOT_LABELS[visible]}`} className={SINGLE_FRAME} testId="viewer-pane" slot="flicker">
        {/* Every image stays mounted, hidden but decoded, so a flick swaps instantly with no blank frame. */}
        {filled.map((slot) => (
          <div key={slot} className="absolute inset-0" style={{ visibility: slot === visible ? 'visible' : 'hidden' }} data-shown={slot === visible}>
            {layer(slot)}
          </div>
        ))}
        <Badge>{SLOT_LABELS[visible]}</Badge>
        <span className="sr-only" aria-live="polite" data-testid="viewer-shown">
          {SLOT_LABELS[visible]}
        </span>
      </Pane>
    );
  }

  const columns = filled.length === 3 ? 'sm:grid-cols-3' : filled.length === 2 ? 'sm:grid-cols-2' : '';
  return (
    <div className={`grid grid-cols-1 gap-2 ${columns}`}>
      {filled.map((slot, index) => (
        <Pane key={slot} gestures={gestures} measure={index === 0} label={SLOT_LABELS[slot]} className="h-52 sm:h-64" testId="viewer-pane" slot={slot}>
          {layer(slot)}
          <Badge>{SLOT_LABELS[slot]}</Badge>
        </Pane>
      ))}
    </div>
  );
}
