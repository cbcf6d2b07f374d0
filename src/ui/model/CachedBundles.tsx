import { Database, ShieldAlert, ShieldCheck, Trash2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { CachedBundle } from '../../core/engine/api.ts';
import { formatBytes } from '../../core/format.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { clearCache, deleteCached, refreshCache } from './cacheActions.ts';
import { chooseCached } from './loadModel.ts';
import { RandomWeightsBadge } from './RandomWeightsBadge.tsx';
import { smallButtonClass } from './styles.ts';

let listed = false;

/** Models kept in this browser after a download: open one without the network, delete one, or clear all. */
export function CachedBundles({ busy }: { busy: boolean }) {
  const { cached, storage, persisted, cacheError } = useModelStore();
  const [confirmClear, setConfirmClear] = useState(false);

  useEffect(() => {
    if (listed) return;
    listed = true;
    void refreshCache();
  }, []);

  if (cached === null && cacheError === null) return null;
  const total = (cached ?? []).reduce((sum, bundle) => sum + bundle.bytesStored, 0);
  return (
    <div data-testid="model-cache" className="space-y-2 border-t border-slate-200 pt-3 dark:border-slate-700">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="flex items-center gap-1.5 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          <Database aria-hidden="true" className="size-3.5" />
          Cached models
        </h3>
        <span data-testid="cache-total" className="text-xs text-slate-500 tabular-nums dark:text-slate-400">
          {formatBytes(total)} in {cached?.length ?? 0} model{cached?.length === 1 ? '' : 's'}
          {storage !== null && ` · site storage ${formatBytes(storage.usageBytes)} of ${formatBytes(storage.quotaBytes)}`}
        </span>
      </div>
      <Persistence persisted={persisted} />
      {cacheError !== null && (
        <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">
          {cacheError.message}
        </p>
      )}
      {cached !== null && cached.length === 0 && <p className="text-xs text-slate-500 dark:text-slate-400">Nothing is cached yet: a model loaded from a URL is kept here.</p>}
      {cached !== null && cached.length > 0 && (
        <>
          <ul className="space-y-2">
            {cached.map((bundle) => (
              <CachedRow key={bundle.key} bundle={bundle} busy={busy} />
            ))}
          </ul>
          <div className="flex justify-end gap-2">
            {confirmClear ? (
              <>
                <button type="button" className={smallButtonClass} onClick={() => setConfirmClear(false)}>
                  Keep them
                </button>
                <button
                  type="button"
                  className={`${smallButtonClass} text-rose-700 dark:text-rose-300`}
                  disabled={busy}
                  onClick={() => {
                    setConfirmClear(false);
                    void clearCache();
                  }}
                >
                  Delete all {cached.length}
                </button>
              </>
            ) : (
              <button type="button" className={smallButtonClass} disabled={busy} onClick={() => setConfirmClear(true)}>
                Clear all…
              </button>
            )}
          </div>
        </>
      )}
    </div>
  );
}

/** Whether the browser may evict the cached models: it may unless the site's storage is persistent. */
function Persistence({ persisted }: { persisted: boolean | null }) {
  if (persisted === null) return null;
  return (
    <p data-testid="storage-persistence" data-persisted={persisted} className="flex items-start gap-1.5 text-xs text-slate-500 dark:text-slate-400">
      {persisted ? (
        <>
          <ShieldCheck aria-hidden="true" className="mt-px size-3.5 shrink-0 text-emerald-600 dark:text-emerald-400" />
          Persistent storage granted: the browser keeps the cached models when space runs low.
        </>
      ) : (
        <>
          <ShieldAlert aria-hidden="true" className="mt-px size-3.5 shrink-0 text-amber-600 dark:text-amber-400" />
          Persistent storage not granted: the browser may evict the cached models when space runs low, and they would download again. Installing the app or bookmarking the page makes a grant likelier.
        </>
      )}
    </p>
  );
}

function CachedRow({ bundle, busy }: { bundle: CachedBundle; busy: boolean }) {
  const { manifest } = bundle;
  const complete = bundle.completeVariants.length > 0;
  const date = new Date(bundle.lastUsedAt);
  return (
    <li data-testid="cached-bundle" data-key={bundle.key} className="rounded-lg border border-slate-200 p-2 text-xs dark:border-slate-700">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium text-slate-800 dark:text-slate-100">{manifest.model.name}</span>
        {manifest.model.randomWeights === true && <RandomWeightsBadge />}
      </div>
      <p className="mt-0.5 text-slate-600 dark:text-slate-300">
        {complete ? bundle.completeVariants.join(', ') : 'download incomplete'} · {formatBytes(bundle.bytesStored)}
        {bundle.bytesStored < bundle.bytesTotal && ` of ${formatBytes(bundle.bytesTotal)}`} · used{' '}
        <time dateTime={bundle.lastUsedAt}>{Number.isNaN(date.getTime()) ? bundle.lastUsedAt : date.toLocaleString()}</time>
      </p>
      {bundle.sources[0] !== undefined && (
        <p className="truncate text-slate-500 dark:text-slate-400" title={bundle.sources[0]}>
          {bundle.sources[0]}
        </p>
      )}
      <div className="mt-1.5 flex gap-2">
        <button
          type="button"
          className={smallButtonClass}
          disabled={busy || !complete}
          title={complete ? undefined : 'Load it from its URL again: the download resumes where it stopped.'}
          aria-label={`Open ${manifest.model.name}`}
          onClick={() => void chooseCached(bundle)}
        >
          Open
        </button>
        <button type="button" className={smallButtonClass} disabled={busy} aria-label={`Delete ${manifest.model.name}`} onClick={() => void deleteCached(bundle.key)}>
          <Trash2 aria-hidden="true" className="size-3.5" />
          Delete
        </button>
      </div>
    </li>
  );
}
