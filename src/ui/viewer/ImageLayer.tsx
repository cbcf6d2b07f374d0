import { useDeferredValue, useMemo } from 'react';
import { HEAT_STOPS, lookupTable, paintDifference, paintSsim, SSIM_STOPS } from '../../core/viewer/colorScale.ts';
import { diffPlacement, ssimPlacement } from '../../core/viewer/overlayPlacement.ts';
import { SLOT_LABELS, type ImageSlotId } from '../../core/tasks.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useViewerStore } from '../../state/useViewerStore.ts';
import { OverlayCanvas } from './OverlayCanvas.tsx';
import { TileOverlay } from './TileOverlay.tsx';
import { useDiffMap, useSsimMap } from './useOverlayMaps.ts';

const HEAT_TABLE = lookupTable(HEAT_STOPS);
const SSIM_TABLE = lookupTable(SSIM_STOPS);

interface Props {
  slot: ImageSlotId;
  image: SlotImage;
  reference: SlotImage | null;
  /** The shared view as a CSS transform (see viewTransform). */
  transform: string;
  pixelated: boolean;
  /** The overlays may be drawn over this image (same size as the reference). */
  overlayAllowed: boolean;
}

/**
 * One image at the shared zoom and pan, with the difference, SSIM or quality-map overlay when one is chosen. The layer is
 * the image's own size in image pixels; the transform scales and places it in the pane.
 */
export function ImageLayer({ slot, image, reference, transform, pixelated, overlayAllowed }: Props) {
  const overlay = useViewerStore((state) => state.overlay);
  const diffMode = useViewerStore((state) => state.diffMode);
  const amplification = useViewerStore((state) => state.amplification);
  const ssimOpacity = useViewerStore((state) => state.ssimOpacity);
  const compared = overlayAllowed && slot !== 'reference';
  const diff = useDiffMap(reference, image, diffMode, compared && overlay === 'difference');
  const ssim = useSsimMap(reference, image, compared && overlay === 'ssim');

  const diffMap = diff?.status === 'ready' ? diff.map : null;
  // Repainting a large map takes a few frames: the slider answers at once and the heat map follows.
  const paintedAmplification = useDeferredValue(amplification);
  const diffPixels = useMemo(
    () => (diffMap === null ? null : paintDifference(diffMap.data, paintedAmplification, HEAT_TABLE)),
    [diffMap, paintedAmplification],
  );
  const ssimMap = ssim?.status === 'ready' ? ssim.map : null;
  const ssimPixels = useMemo(() => (ssimMap === null ? null : paintSsim(ssimMap.map.data, SSIM_TABLE)), [ssimMap]);
  const rendering = pixelated ? 'pixelated' : 'auto';
  const pending = diff?.status === 'computing' || ssim?.status === 'computing';
  const failed = diff?.status === 'error' ? diff.error : ssim?.status === 'error' ? ssim.error : null;

  return (
    <>
      <div
        data-testid="viewer-layer"
        data-slot={slot}
        className="absolute top-0 left-0 overflow-hidden"
        style={{ width: image.width, height: image.height, transform, transformOrigin: '0 0' }}
      >
        <img
          src={image.previewUrl}
          alt={`${SLOT_LABELS[slot]} in the viewer: ${image.name}`}
          draggable={false}
          data-testid="viewer-image"
          className="block max-w-none select-none [image-orientation:none]"
          style={{ width: image.width, height: image.height, imageRendering: rendering }}
        />
        {diffMap !== null && diffPixels !== null && (
          <OverlayCanvas
            width={diffMap.width}
            height={diffMap.height}
            pixels={diffPixels}
            placement={diffPlacement(diffMap)}
            opacity={1}
            pixelated={pixelated}
            testId="viewer-diff"
            label={`Difference of ${SLOT_LABELS[slot]} from the reference`}
          />
        )}
        {ssimMap !== null && ssimPixels !== null && (
          <OverlayCanvas
            width={ssimMap.map.width}
            height={ssimMap.map.height}
            pixels={ssimPixels}
            placement={ssimPlacement(ssimMap.map, ssimMap.factor)}
            opacity={ssimOpacity}
            pixelated={pixelated}
            testId="viewer-ssim"
            label={`SSIM map of ${SLOT_LABELS[slot]} against the reference`}
          />
        )}
        <TileOverlay slot={slot} />
      </div>
      {(pending || failed !== null) && (
        <p
          className="pointer-events-none absolute right-1.5 bottom-1.5 max-w-[90%] rounded-md bg-slate-900/75 px-2 py-0.5 text-xs text-white"
          data-testid="viewer-map-status"
        >
          {failed !== null ? `${failed.message} ${failed.hint ?? ''}` : overlay === 'ssim' ? 'Computing the SSIM map…' : 'Computing the difference…'}
        </p>
      )}
    </>
  );
}
