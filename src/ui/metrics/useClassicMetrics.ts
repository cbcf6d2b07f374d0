import { useEffect } from 'react';
import { serializeError } from '../../core/errors.ts';
import { useImageStore, type SlotImage } from '../../state/useImageStore.ts';
import { useMetricsStore, type ComparedSlot } from '../../state/useMetricsStore.ts';
import { imageFile, withMetrics } from '../../client/metricsClient.ts';

/** Keeps PSNR/SSIM/MS-SSIM/GMSD of A and B against the reference up to date, computed in the metrics worker. */
export function useClassicMetrics(): void {
  const reference = useImageStore((state) => state.images.reference);
  const a = useImageStore((state) => state.images.a);
  const b = useImageStore((state) => state.images.b);

  useEffect(() => update('a', reference, a), [reference, a]);
  useEffect(() => update('b', reference, b), [reference, b]);
}

function update(slot: ComparedSlot, reference: SlotImage | null, image: SlotImage | null): void {
  const { entries, setEntry } = useMetricsStore.getState();
  if (reference === null || image === null) {
    if (entries[slot] !== null) setEntry(slot, null);
    return;
  }
  const key = `${reference.id}:${image.id}`;
  if (entries[slot]?.key === key) return;
  if (reference.width !== image.width || reference.height !== image.height) {
    setEntry(slot, { key, status: 'size-mismatch', size: [image.width, image.height], referenceSize: [reference.width, reference.height] });
    return;
  }
  setEntry(slot, { key, status: 'computing' });
  withMetrics((metrics) => metrics.compareFiles(imageFile(reference), imageFile(image), { ssimMap: false })).then(
    ({ ssimMap: _map, ...values }) => {
      if (useMetricsStore.getState().entries[slot]?.key === key) setEntry(slot, { key, status: 'done', values });
    },
    (error: unknown) => {
      if (useMetricsStore.getState().entries[slot]?.key === key) setEntry(slot, { key, status: 'error', error: serializeError(error) });
    },
  );
}
