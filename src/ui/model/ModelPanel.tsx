import { Cpu, FolderOpen } from 'lucide-react';
import { useRef, useState } from 'react';
import { useCapabilityStore } from '../../state/useCapabilityStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { CachedBundles } from './CachedBundles.tsx';
import { LoadProgressView } from './LoadProgressView.tsx';
import { chooseFolder, chooseUrl, modelUrlFromQuery } from './loadModel.ts';
import { PreflightCard } from './PreflightCard.tsx';
import { RandomWeightsBadge } from './RandomWeightsBadge.tsx';
import { buttonClass } from './styles.ts';

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

  return (
    <section aria-labelledby="model-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <h2 id="model-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Model
      </h2>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={buttonClass} disabled={busy} onClick={() => folderRef.current?.click()}>
          <FolderOpen aria-hidden="true" className="size-4" />
          Choose a bundle folder
        </button>
        <input
          ref={folderRef}
          type="file"
          data-testid="model-folder-input"
          aria-label="Bundle folder"
          className="hidden"
          // React has no typed prop for the folder picker; the attribute is what browsers read.
          {...{ webkitdirectory: '' }}
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            if (files.length > 0) void chooseFolder(files);
          }}
        />
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
      {error !== null && (
        <div role="alert" data-testid="model-error" data-code={error.code} className="rounded-lg bg-rose-50 p-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200">
          <p>
            Could not load {source}: {error.message}
          </p>
          {error.hint !== undefined && <p className="text-rose-700 dark:text-rose-300">{error.hint}</p>}
        </div>
      )}
      <CachedBundles busy={busy} />
    </section>
  );
}
