import { Cpu, FolderOpen } from 'lucide-react';
import { useRef, useState } from 'react';
import { useModelStore } from '../../state/useModelStore.ts';
import { LoadProgressView } from './LoadProgressView.tsx';
import { folderLabel, folderSource, loadModel, modelUrlFromQuery } from './loadModel.ts';

const buttonClass =
  'inline-flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-sky-500 disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700';

/** Where the model comes from (a local folder or a URL), the load's progress, and what is loaded. */
export function ModelPanel() {
  const { status, model, error, source } = useModelStore();
  const folderRef = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState(modelUrlFromQuery);
  const loading = status === 'loading';

  return (
    <section aria-labelledby="model-heading" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <h2 id="model-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Model
      </h2>
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className={buttonClass} disabled={loading} onClick={() => folderRef.current?.click()}>
          <FolderOpen aria-hidden="true" className="size-4" />
          Load a bundle folder
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
            if (files.length > 0) void loadModel(folderSource(files), folderLabel(files));
          }}
        />
        <form
          className="flex min-w-[16rem] flex-1 gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            const trimmed = url.trim();
            if (trimmed !== '') void loadModel({ kind: 'url', url: trimmed }, trimmed);
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
          <button type="submit" className={buttonClass} disabled={loading || url.trim() === ''}>
            Load
          </button>
        </form>
      </div>
      {loading && <LoadProgressView />}
      {status === 'ready' && model !== null && (
        <p className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200" data-testid="model-ready">
          <Cpu aria-hidden="true" className="size-4 text-emerald-600" />
          <span>
            <span className="font-medium">{model.name}</span> · {model.variant} · {model.backend === 'webgpu' ? 'WebGPU' : 'CPU (wasm)'}
            {model.hasVisionEncoder ? '' : ' · no vision encoder'}
          </span>
        </p>
      )}
      {status === 'failed' && error !== null && (
        <div role="alert" data-testid="model-error" data-code={error.code} className="rounded-lg bg-rose-50 p-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200">
          <p>
            Could not load {source}: {error.message}
          </p>
          {error.hint !== undefined && <p className="text-rose-700 dark:text-rose-300">{error.hint}</p>}
        </div>
      )}
    </section>
  );
}
