import { Cpu, FolderOpen } from 'lucide-react';
import { useRef, useState, type DragEvent } from 'react';
import { AppError, serializeError } from '../../core/errors.ts';
import { useCapabilityStore } from '../../state/useCapabilityStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { CachedBundles } from './CachedBundles.tsx';
import { EmbedderSection } from './EmbedderSection.tsx';
import { isEmbedderFolder, loadEmbedderFromFolder } from './embedderActions.ts';
import { droppedEntries, filesOfEntries } from './droppedFolder.ts';
import { LoadProgressView } from './LoadProgressView.tsx';
import { chooseFolder, chooseUrl, modelUrlFromQuery } from './loadModel.ts';
import { PreflightCard } from './PreflightCard.tsx';
import { RandomWeightsBadge } from './RandomWeightsBadge.tsx';
import { buttonClass } from './styles.ts';
import { FileInput } from '../layout/FileInput.tsx';

/**
 * Where the model comes from (a local folder, a URL, the cache), what it will need here before anything is
 * downloaded, the load's progress, and what is loaded.
 */
export function ModelPanel() {
  const { status, check, model, randomWeights, error, source, pending } = useModelStore();
  const capabilityStatus = useCapabilityStore((state) => state.status);
  const capabilities = useCapabilityStore((state) => state.capabilities);
  const folderRef = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState(modelUrlFromQuery);
  const busy = status === 'loading' || check === 'reading';
  const [dragging, setDragging] = useState(false);

  // A bundle folder dropped here is read in place; the page's own drop handler (images) never sees it.
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setDragging(false);
    if (busy) return;
    const entries = droppedEntries(event.dataTransfer.items);
    if (entries === null) {
      useModelStore.getState().startReading('the dropped items');
      const error = new AppError('BUNDLE_NOT_FOUND', 'What was dropped on the model panel is not a folder.', {
        hint: "Drop the bundle's folder (the one holding manifest.json), or drop images on the image slots.",
      });
      useModelStore.getState().setReadFailed(serializeError(error));
      return;
    }
    filesOfEntries(entries).then(
      // A folder with the sentence model (and no bundle manifest) is the sentence model's.
      (files) => (isEmbedderFolder(files) ? loadEmbedderFromFolder(files) : chooseFolder(files)),
      (cause: unknown) =>
        useModelStore.getState().setReadFailed(serializeError(new AppError('BUNDLE_NOT_FOUND', 'The dropped folder could not be read.', { hint: 'Choose it with "Choose a bundle folder" instead.', cause }))),
    );
  };

  return (
    <section
      aria-labelledby="model-heading"
      data-testid="model-panel"
      onDragOver={(event) => {
        event.preventDefault();
        event.stopPropagation();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`space-y-3 rounded-xl border bg-white p-4 dark:bg-slate-900 ${dragging ? 'border-sky-500 ring-2 ring-sky-300 dark:ring-sky-700' : 'border-slate-200 dark:border-slate-700'}`}
    >
      <h2 id="model-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Model
      </h2>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={buttonClass} disabled={busy} onClick={() => folderRef.current?.click()}>
          <FolderOpen aria-hidden="true" className="size-4" />
          Choose a bundle folder
        </button>
        <span className="hidden text-xs text-slate-500 sm:inline dark:text-slate-400">or drop it here</span>
        <FileInput inputRef={folderRef} testId="model-folder-input" aria-label="Bundle folder" folder onFiles={(files) => void chooseFolder(files)} />
        <form
          className="flex min-w-[16rem] flex-1 gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            const trimmed = url.trim();
            if (trimmed !== '') void chooseUrl(trimmed);
          }}
        >
          <input
            type="url"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            placeholder="https://…/bundle/"
            aria-label="Bundle URL"
            className="min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-600 dark:bg-slate-800"
          />
          <button type="submit" className={buttonClass} disabled={busy || url.trim() === ''}>
            Check
          </button>
        </form>
      </div>
      {check === 'reading' && <p className="text-sm text-slate-500 dark:text-slate-400">Reading the manifest of {source}…</p>}
      {check === 'checked' && pending !== null && capabilities !== null && <PreflightCard pending={pending} capabilities={capabilities} />}
      {check === 'checked' && capabilities === null && (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          {capabilityStatus === 'failed' ? 'The engine could not start, so nothing can be loaded: see the error above.' : 'Checking what this browser can run…'}
        </p>
      )}
      {status === 'loading' && <LoadProgressView />}
      {status === 'ready' && model !== null && (
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700 dark:text-slate-200" data-testid="model-ready">
          <Cpu aria-hidden="true" className="size-4 text-emerald-600" />
          <span>
            <span className="font-medium">{model.name}</span> · {model.variant} · {model.backend === 'webgpu' ? 'WebGPU' : 'CPU (wasm)'} · {model.maxContext} positions
            {model.hasVisionEncoder ? '' : ' · no vision encoder'}
          </span>
          {randomWeights && <RandomWeightsBadge />}
        </div>
      )}
      {status === 'lost' && (
        <p className="text-sm text-slate-700 dark:text-slate-200" data-testid="model-lost">
          {model?.name ?? source} reopens at the next run.
        </p>
      )}
      {error !== null && (
        <div role="alert" data-testid="model-error" data-code={error.code} className="rounded-lg bg-rose-50 p-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200">
          <p>{status === 'lost' ? error.message : `Could not load ${source}: ${error.message}`}</p>
          {error.hint !== undefined && <p className="text-rose-700 dark:text-rose-300">{error.hint}</p>}
        </div>
      )}
      <CachedBundles busy={busy} />
      <EmbedderSection />
    </section>
  );
}
