import { useEffect } from 'react';
import { currentVerdict, type RunImages } from '../../core/metrics/agreement.ts';
import type { Verdict } from '../../core/generation/verdict.ts';
import { useImageStore, type SlotImage } from '../../state/useImageStore.ts';
import { useMetricsStore } from '../../state/useMetricsStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';

const ids = (images: Record<'reference' | 'a' | 'b', SlotImage | null>): RunImages => ({
  reference: images.reference?.id ?? null,
  a: images.a?.id ?? null,
  b: images.b?.id ?? null,
});

/**
 * The model's comparison verdict ('A' or 'B') when the last run finished with one for the images now in the
 * slots; null otherwise. The run store does not say which images a run saw, so the ids are noted as it starts
 * (the run reads the slots at that moment too).
 */
export function useModelVerdict(): Verdict | null {
  useEffect(
    () =>
      useRunStore.subscribe((state, previous) => {
        if (state.status === 'encoding' && previous.status !== 'encoding') {
          useMetricsStore.getState().setRunImages(ids(useImageStore.getState().images));
        }
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
