import { useEffect, useState } from 'react';
import { serializeError, type SerializedError } from '../../core/errors.ts';
import type { SsimMap } from '../../core/metrics/ssim.ts';
import type { DiffMap, DiffMode } from '../../core/viewer/diffMap.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { imageFile, withMetrics } from '../../client/metricsClient.ts';

export type MapState<T> = { status: 'computing' } | { status: 'ready'; map: T } | { status: 'error'; error: SerializedError };

export interface SsimOverlayMap {
  map: SsimMap;
  /** Wang's downsampling factor the map was computed at. */
  factor: number;
}

// The maps are large typed arrays, so they live here rather than in a store; a few recent ones are kept so
// that toggling an overlay or flickering between A and B does not compute them again.
const KEEP = 6;
const diffCache = new Map<string, Promise<DiffMap>>();
const ssimCache = new Map<string, Promise<SsimOverlayMap>>();

function remember<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = compute();
    // A failure is not kept: the next request tries again.
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
    while (cache.size > KEEP) cache.delete(cache.keys().next().value!);
  }
  return entry;
}

function useMap<T>(key: string | null, compute: () => Promise<T>, cache: Map<string, Promise<T>>): MapState<T> | null {
  const [state, setState] = useState<{ key: string; value: MapState<T> } | null>(null);
  useEffect(() => {
    if (key === null) return;
    let current = true;
    remember(cache, key, compute).then(
      (map) => {
        if (current) setState({ key, value: { status: 'ready', map } });
      },
      (error: unknown) => {
        if (current) setState({ key, value: { status: 'error', error: serializeError(error) } });
      },
    );
    return () => {
      current = false;
    };
    // `compute` is rebuilt each render; the key names everything it depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (key === null) return null;
  return state?.key === key ? state.value : { status: 'computing' };
}

/** |image − reference| computed in the metrics worker (decoding included), so a 4000×3000 pair never blocks the page. */
export function useDiffMap(reference: SlotImage | null, image: SlotImage | null, mode: DiffMode, enabled: boolean): MapState<DiffMap> | null {
  const key = enabled && reference !== null && image !== null ? `${reference.id}:${image.id}:${mode}` : null;
  return useMap(
    key,
    () => withMetrics((metrics) => metrics.differenceMap(imageFile(reference!), imageFile(image!), { mode })),
    diffCache,
  );
}

/** The SSIM map at the resolution SSIM is computed at (Wang's downsampling), from the metrics worker. */
export function useSsimMap(reference: SlotImage | null, image: SlotImage | null, enabled: boolean): MapState<SsimOverlayMap> | null {
  const key = enabled && reference !== null && image !== null ? `${reference.id}:${image.id}` : null;
  return useMap(
    key,
    async () => {
      const result = await withMetrics((metrics) => metrics.compareFiles(imageFile(reference!), imageFile(image!), { metrics: ['ssim'], ssimMap: true }));
      return { map: result.ssimMap!, factor: result.ssimDownsampleFactor ?? 1 };
    },
    ssimCache,
  );
}
