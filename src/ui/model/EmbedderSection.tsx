import { Download, FolderOpen, Sparkles, Trash2 } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { formatBytes } from '../../core/format.ts';
import { useEmbedderStore } from '../../state/useEmbedderStore.ts';
import { defaultEmbedderUrl, deleteCachedEmbedder, loadCachedEmbedder, loadEmbedderFromFolder, loadEmbedderFromUrl, refreshEmbedderCache } from './embedderActions.ts';
import { buttonClass, smallButtonClass } from './styles.ts';
import { FileInput } from '../layout/FileInput.tsx';

let listed = false;

/**
 * The sentence model that DepictQA's confidence of detailed answers needs (all-MiniLM-L6-v2): its state, a load
 * from a URL (kept in the cache) or from a folder, and the cached copies.
 */
export function EmbedderSection() {
  const { status, source, progress, info, error, url, cached, cacheError } = useEmbedderStore();
  const folderRef = useRef<HTMLInputElement>(null);
  const busy = status === 'loading';

  useEffect(() => {
    if (listed) return;
    listed = true;
    if (useEmbedderStore.getState().url === '') useEmbedderStore.getState().setUrl(defaultEmbedderUrl());
    void refreshEmbedderCache();
  }, []);

  const overall = progress !== null && progress.bytesTotal > 0 ? progress.bytesLoaded / progress.bytesTotal : 0;
  return (
    <div id="sentence-model" data-testid="embedder" data-status={status} className="space-y-2 border-t border-slate-200 pt-3 dark:border-slate-700">
      <h3 className="flex items-center gap-1.5 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        <Sparkles aria-hidden="true" className="size-3.5" />
        Sentence model (for the confidence of detailed answers)
      </h3>
      <p data-testid="embedder-state" className="text-sm text-slate-700 dark:text-slate-200">
        {status === 'none' && 'Not loaded: detailed answers show no confidence (brief answers do not need it).'}
        {status === 'failed' && 'Not loaded.'}
        {status === 'loading' &&
          (progress === null
            ? `Opening ${source}…`
            : progress.fromCache
              ? `Opening ${source} from the cache…`
              : `Downloading ${Math.round(overall * 100)}% · ${formatBytes(progress.bytesLoaded)} of ${formatBytes(progress.bytesTotal)}`)}
        {status === 'ready' && info !== null && (
          <>
            Loaded: <span className="break-all">{info.source}</span> · {formatBytes(info.bytes)}
          </>
        )}
      </p>
      {status === 'loading' && progress !== null && !progress.fromCache && (
        <progress data-testid="embedder-progress" className="h-2 w-full accent-sky-600" value={overall} max={1} aria-label="Sentence model download" />
      )}
      {error !== null && (
        <div role="alert" data-testid="embedder-error" data-code={error.code} className="rounded-lg bg-rose-50 p-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200">
          <p>{error.message}</p>
          {error.hint !== undefined && <p className="text-rose-700 dark:text-rose-300">{error.hint}</p>}
        </div>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <form
          className="flex w-full gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (url.trim() !== '') void loadEmbedderFromUrl(url.trim());
          }}
        >
          <input
            type="url"
            value={url}
            onChange={(event) => useEmbedderStore.getState().setUrl(event.target.value)}
            aria-label="Sentence model URL"
            className="w-0 min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-600 dark:bg-slate-800"
          />
          <button type="submit" className={buttonClass} disabled={busy || url.trim() === ''}>
            <Download aria-hidden="true" className="size-4" />
            Download
          </button>
        </form>
        <button type="button" className={buttonClass} disabled={busy} onClick={() => folderRef.current?.click()}>
          <FolderOpen aria-hidden="true" className="size-4" />
          Choose its folder
        </button>
        <FileInput inputRef={folderRef} testId="embedder-folder-input" aria-label="Sentence model folder" folder onFiles={(files) => void loadEmbedderFromFolder(files)} />
      </div>
      {cacheError !== null && (
        <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">
          {cacheError.message}
        </p>
      )}
      {cached !== null && cached.length > 0 && (
        <ul data-testid="embedder-cache" className="space-y-1">
          {cached.map((copy) => (
            <li key={copy.key} data-testid="embedder-cached" className="flex flex-wrap items-center gap-2 text-xs text-slate-600 dark:text-slate-300">
              <span className="min-w-0 flex-1 truncate" title={copy.url}>
                {copy.url}
              </span>
              <span className="tabular-nums">
                {formatBytes(copy.bytesStored)}
                {copy.complete ? '' : ' · incomplete'}
              </span>
              {copy.complete && (
                <button type="button" className={smallButtonClass} disabled={busy} onClick={() => void loadCachedEmbedder(copy)}>
                  Load
                </button>
              )}
              <button type="button" className={smallButtonClass} disabled={busy} aria-label={`Delete the cached sentence model from ${copy.url}`} onClick={() => void deleteCachedEmbedder(copy.key)}>
                <Trash2 aria-hidden="true" className="size-3.5" />
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
