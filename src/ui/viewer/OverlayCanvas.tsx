import { useEffect, useRef } from 'react';
import type { Placement } from '../../core/viewer/overlayPlacement.ts';

interface Props {
  width: number;
  height: number;
  /** RGBA pixels of the map, [height, width, 4]. */
  pixels: Uint8ClampedArray<ArrayBuffer>;
  placement: Placement;
  opacity: number;
  pixelated: boolean;
  testId: string;
  label: string;
}

/** A map painted at its own resolution and stretched over the image it belongs to, inside the pane's image layer. */
export function OverlayCanvas({ width, height, pixels, placement, opacity, pixelated, testId, label }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    context.putImageData(new ImageData(pixels, width, height), 0, 0);
  }, [pixels, width, height]);
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      data-testid={testId}
      aria-label={label}
      role="img"
      className="pointer-events-none absolute max-w-none"
      style={{
        left: placement.left,
        top: placement.top,
        width: placement.width,
        height: placement.height,
        opacity,
        imageRendering: pixelated ? 'pixelated' : 'auto',
      }}
    />
  );
}
