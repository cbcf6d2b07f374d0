import { useCallback } from 'react';
import { serializeError } from '../../core/errors.ts';
import type { ImageSlotId } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { loadImageFile } from './loadImageFile.ts';
import { routeFiles } from './routeFiles.ts';

/** Puts files into slots: one file into a given slot, or several routed by name and order. */
export function useImageLoader() {
  const loadInto = useCallback(async (slot: ImageSlotId, file: File) => {
    const { setLoading, setImage, setError } = useImageStore.getState();
    setLoading(slot);
    try {
      setImage(slot, await loadImageFile(file, file.name || 'pasted image'));
    } catch (error) {
      setError(slot, serializeError(error));
    }
  }, []);

  const loadRouted = useCallback(
    async (files: File[]) => {
      const { placed } = routeFiles(files);
      await Promise.all(placed.map(([slot, file]) => loadInto(slot, file)));
    },
    [loadInto],
  );

  return { loadInto, loadRouted };
}
