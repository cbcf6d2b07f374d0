import { serializeError } from '../../core/errors.ts';
import { useModelStore, type StorageUse } from '../../state/useModelStore.ts';
import { pageEngine } from '../../client/engine.ts';

/** The download cache as the engine sees it, and the origin's storage use; failures go to the store. */
export async function refreshCache(): Promise<void> {
  try {
    const [cached, storage, persisted] = await Promise.all([pageEngine.cachedBundles(), storageUse(), storagePersisted()]);
    useModelStore.getState().setCache(cached, storage);
    useModelStore.getState().setPersisted(persisted);
  } catch (error) {
    useModelStore.getState().setCacheError(serializeError(error));
  }
}

export async function deleteCached(key: string): Promise<void> {
  await run(() => pageEngine.deleteCachedBundle(key));
}

export async function clearCache(): Promise<void> {
  await run(() => pageEngine.clearBundleCache());
}

async function run(change: () => Promise<void>): Promise<void> {
  try {
    await change();
  } catch (error) {
    useModelStore.getState().setCacheError(serializeError(error));
  }
  await refreshCache();
}

/** navigator.storage.estimate(): what this site stores and may store; null where the browser does not say. */
async function storageUse(): Promise<StorageUse | null> {
  if (typeof navigator.storage?.estimate !== 'function') return null;
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return usage === undefined || quota === undefined ? null : { usageBytes: usage, quotaBytes: quota };
  } catch {
    // The estimate is a courtesy: without it the list still shows each bundle's size.
    return null;
  }
}

/** navigator.storage.persisted(): whether the browser keeps the cached models under storage pressure; null where it does not say. */
async function storagePersisted(): Promise<boolean | null> {
  if (typeof navigator.storage?.persisted !== 'function') return null;
  return navigator.storage.persisted().catch(() => null);
}

/**
 * Asks for persistent storage (before a download: the page's one place to ask), and shows the answer. Browsers
 * grant it silently (Chromium: by how the site is used, e.g. installed or bookmarked) or after asking the user,
 * so the load does not wait for it.
 */
export async function requestPersistence(): Promise<void> {
  if (typeof navigator.storage?.persist !== 'function') return;
  const persisted = await navigator.storage.persist().catch(() => null);
  useModelStore.getState().setPersisted(persisted);
}
