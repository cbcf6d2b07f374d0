import type { LocalizeTile } from '../../core/engine/localize.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { mapMatches, useLocalizeStore } from '../../state/useLocalizeStore.ts';
import { useViewerStore } from '../../state/useViewerStore.ts';

/** The map's tiles while the "Where" overlay is on and the map belongs to the slots' images; null otherwise. */
export function useMapOfSlots(): LocalizeTile[] | null {
  const on = useViewerStore((state) => state.overlay === 'where');
  const tiles = useLocalizeStore((state) => state.tiles);
  const ids = useLocalizeStore((state) => state.images);
  const images = useImageStore((state) => state.images);
  return on && mapMatches(ids, images) ? tiles : null;
}
