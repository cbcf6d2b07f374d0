import { useCallback } from 'react';
import { serializeError } from '../../core/errors.ts';
import type { ImageSlotId } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { encodeAsDisplayed, loadImageFile } from './loadImageFile.ts';
import { routeFiles } from './routeFiles.ts';

/** Puts files into slots: one file into a given slot, or several routed by name and order; turns a slot's file upright. */
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

  /** Replaces a slot's EXIF-rotated file by a PNG of the picture as displayed. */
  const replaceWithDisplayed = useCallback(async (slot: ImageSlotId) => {
    const image = useImageStore.getState().images[slot];
    if (image === null) return;
    const { setLoading, setImage, setError } = useImageStore.getState();
    setLoading(slot);
    try {
      const upright = await encodeAsDisplayed(image.blob, image.name);
      setImage(slot, await loadImageFile(upright.blob, upright.name));
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

  return { loadInto, loadRouted, replaceWithDisplayed };
}
