import { preflight } from '../../core/bundle/preflight.ts';
import type { BundleSource, LoadOptions } from '../../core/engine/load.ts';
import type { CachedBundle } from '../../core/engine/api.ts';
import { serializeError } from '../../core/errors.ts';
import type { LocalFile } from '../../core/bundle/localFolder.ts';
import { useCapabilityStore } from '../../state/useCapabilityStore.ts';
import { useModelStore, type PendingBundle } from '../../state/useModelStore.ts';
import { pageEngine } from '../../client/engine.ts';
import { refreshCache, requestPersistence } from './cacheActions.ts';
import { reopenCachedEmbedder } from './embedderActions.ts';
import { folderLabel } from './folderLabel.ts';
import { readFolderManifest, readUrlManifest } from './readManifest.ts';

/**
 * The model panel's flow: choose a source → its manifest is read → the pre-flight card shows what the model
 * needs here → Load (or Load anyway) → the engine opens the bundle. Outcomes go to the model store, never thrown.
 */

/** The source of the pending bundle. Kept here, not in the store: Files are not data to render. */
let pendingSource: BundleSource | null = null;
/** Counts choices, so that a manifest read for an earlier one is dropped. */
let choices = 0;

/** What a choice opens once its manifest is read, and how the pre-flight card describes it. */
interface Chosen extends PendingBundle {
  source: BundleSource;
}

/** A picked (`<input webkitdirectory>`) or dropped folder's files. */
export function chooseFolder(files: ReadonlyArray<File | LocalFile>): Promise<void> {
  const label = folderLabel(files);
  return choose(label, async () => ({ source: folderSource(files), kind: 'files', label, manifest: await readFolderManifest(files) }));
}

/** A bundle URL; when its server cannot be reached, its cached copy is offered in its place. */
export function chooseUrl(url: string): Promise<void> {
  return choose(url, async () => {
    const read = await readUrlManifest(url, () => pageEngine.cachedBundles());
    if (read.kind === 'fetched') return { source: { kind: 'url', url }, kind: 'url', label: url, manifest: read.manifest };
    return { ...cachedChoice(read.copy), offlineFrom: url };
  });
}

export function chooseCached(bundle: CachedBundle): Promise<void> {
  const chosen = cachedChoice(bundle);
  return choose(chosen.label, async () => chosen);
}

function cachedChoice(bundle: CachedBundle): Chosen {
  return { source: { kind: 'cache', key: bundle.key }, kind: 'cache', label: `${bundle.manifest.model.name} (cached)`, manifest: bundle.manifest, available: bundle.completeVariants };
}

async function choose(label: string, read: () => Promise<Chosen>): Promise<void> {
  const choice = ++choices;
  useModelStore.getState().startReading(label);
  pendingSource = null;
  try {
    const { source, ...pending } = await read();
    if (choice !== choices) return; // a newer choice was made while this manifest was read
    pendingSource = source;
    useModelStore.getState().setPending(pending);
  } catch (error) {
    if (choice === choices) useModelStore.getState().setReadFailed(serializeError(error));
  }
}

/** Loads the pending bundle with the variant and context length the pre-flight card shows. */
export async function loadPending(): Promise<void> {
  const { pending, choice } = useModelStore.getState();
  const capabilities = useCapabilityStore.getState().capabilities;
  if (pending === null || pendingSource === null || capabilities === null) return;
  const report = preflight(pending.manifest, capabilities, { ...choice, ...(pending.available === undefined ? {} : { available: pending.available }) });
  const source = pendingSource;
  pendingSource = null;
  // Before a download: only a page may ask for persistent storage, and the download then survives storage pressure.
  if (source.kind === 'url') void requestPersistence();
  await loadModel(source, pending.label, { variant: report.variant, maxContext: report.contextLength }, pending.manifest.model.randomWeights === true);
}

export function cancelPending(): void {
  pendingSource = null;
  useModelStore.getState().cancelPending();
}

async function loadModel(source: BundleSource, label: string, options: LoadOptions, randomWeights: boolean): Promise<void> {
  await pageEngine.load(source, label, options, randomWeights);
  // A download (finished or partial) changed the cache.
  if (source.kind !== 'files') await refreshCache();
  if (useModelStore.getState().status === 'ready') await reopenCachedEmbedder();
}

/**
 * The files of an `<input webkitdirectory>` with their paths: a File's webkitRelativePath does not survive
 * the copy into the worker, so the path travels beside it.
 */
export function folderSource(files: ReadonlyArray<File | LocalFile>): BundleSource {
  return { kind: 'files', files: files.map((entry) => (entry instanceof File ? { path: entry.webkitRelativePath || entry.name, file: entry } : entry)) };
}


/**
 * The bundle URL the panel starts with: the `?model=` query parameter, else the build's `VITE_MODEL_URL`
 * (set when building a deployment that serves its own bundle), else none.
 */
export function modelUrlFromQuery(search: string = window.location.search, built: string | undefined = import.meta.env.VITE_MODEL_URL as string | undefined): string {
  return new URLSearchParams(search).get('model') ?? built ?? '';
}
