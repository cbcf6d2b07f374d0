import type { RankResult } from '../../core/engine/rank.ts';
import { rankHistoryRecord } from '../../core/history/rankRecord.ts';
import { imageFacts } from '../../core/image/imageFacts.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { saveRecord } from '../history/historyService.ts';

/** Saves a finished ranking in History, with its images (each stored once, like a run's). */
export function saveRankingToHistory(result: RankResult, images: { reference: SlotImage | null; candidates: readonly SlotImage[] }, startedAt: number): Promise<void> {
  const model = useModelStore.getState().model;
  const slotted = [...(images.reference === null ? [] : [{ slot: 'reference' as const, image: images.reference }]), ...images.candidates.map((image) => ({ slot: 'candidate' as const, image }))];
  const record = rankHistoryRecord(
    {
      id: crypto.randomUUID(),
      images: slotted.map(({ slot, image }) => ({ slot, sha256: image.id, ...imageFacts(image) })),
      model: model === null ? null : { name: model.name, variant: model.variant, backend: model.backend },
      startedAt,
    },
    result,
    Date.now(),
  );
  return saveRecord(record, new Map(slotted.map(({ image }) => [image.id, image.blob])));
}
