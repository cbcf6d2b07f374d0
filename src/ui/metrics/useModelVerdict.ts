import { useEffect } from 'react';
import { currentVerdict, runImagesAfter, type RunImages } from '../../core/metrics/agreement.ts';
import type { Verdict } from '../../core/generation/verdict.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useMetricsStore } from '../../state/useMetricsStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';

function slotIds(): RunImages {
  const { images } = useImageStore.getState();
  return { reference: images.reference?.id ?? null, a: images.a?.id ?? null, b: images.b?.id ?? null };
}

/**
 * The model's comparison verdict ('A' or 'B') when the answer shown finished with one for the images now in
 * the slots; null otherwise (no verdict, a run under way, or other images since).
 */
export function useModelVerdict(): Verdict | null {
  useEffect(
    () =>
      useRunStore.subscribe((state, previous) => {
        const images = runImagesAfter(state, previous, slotIds());
        if (images !== undefined) useMetricsStore.getState().setRunImages(images);
      }),
    [],
  );
  const status = useRunStore((state) => state.status);
  const verdict = useRunStore((state) => state.summary?.verdict ?? null);
  const runImages = useMetricsStore((state) => state.runImages);
  const reference = useImageStore((state) => state.images.reference?.id ?? null);
  const a = useImageStore((state) => state.images.a?.id ?? null);
  const b = useImageStore((state) => state.images.b?.id ?? null);
  return currentVerdict({ status, verdict }, runImages, { reference, a, b });
}
